#pragma once
// The published few-shot benchmarks (Abd-MRI = CHAOS T2-SPIR, Card-MRI = MS-CMRSeg bSSFP, Abd-CT =
// BTCV/Synapse, its first ten volumes) as laid out in the shared data folder, their cross-validation
// folds, and the EP1 evaluation protocol.
#include <cstdint>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

struct BenchmarkOrgan {
  uint16_t value;  // label value in the files
  std::string name;
};

struct FewShotBenchmark {
  std::string name;  // "abd-mri", "card-mri" or "abd-ct"
  std::string folder;
  std::vector<int> volumeIds;  // sorted numerically
  std::vector<BenchmarkOrgan> organs;
  int foldSize = 0;
  int folds = 5;
  std::string modality = "mr";  // "mr" or "ct"

  std::string imagePath(int id) const;
  std::string labelPath(int id) const;
  std::string supervoxelPath(int id) const;  // empty when the benchmark ships none

  // Volume ids of fold k (consecutive indices; the last fold wraps around to index 0).
  std::vector<int> foldVolumes(int fold) const;
  // The fold's support volume: its third entry.
  int supportVolume(int fold) const;
  // Every volume outside fold k: the self-supervised training set when evaluating fold k.
  std::vector<int> trainingVolumes(int excludedFold) const;
};

// `dataRoot` is the folder holding abd-mri-chaost2/ and card-mri-cmr/; abd-ct-sabs/ is found there
// or beside it. Throws core::Error.
FewShotBenchmark loadFewShotBenchmark(const std::string& name, const std::string& dataRoot);

// EP1: the query's organ slices split into 3 chunks at int(linspace(0, C, 4)); chunk i is segmented
// with the support's organ slice int(C_s * [1/6, 1/2, 5/6][i]).
struct Ep1Chunk {
  std::vector<int64_t> querySlices;
  int64_t supportSlice = 0;
};
std::vector<Ep1Chunk> ep1Chunks(const std::vector<int64_t>& queryOrganSlices,
                                const std::vector<int64_t>& supportOrganSlices);
// EP1's three support slices: the organ slices int(C_s * [1/6, 1/2, 5/6]) (repeats kept, so index i
// is chunk i's); empty when there are no organ slices.
std::vector<int64_t> ep1SupportSlices(const std::vector<int64_t>& supportOrganSlices);
// The same choice for `value` of a label map along `axis`, repeats removed: the default examples
// when a labelled volume serves as the support.
std::vector<int64_t> ep1SupportSlices(const LabelMap& labels, uint16_t value, Axis axis);

// 2TP / (2TP + FP + FN) of `value` over the given z slices (all slices when empty) of two label
// volumes of `size` (x fastest). 1 when both are empty there.
double dice3d(const uint16_t* predicted, const uint16_t* truth, const int64_t size[3], uint16_t value,
              const std::vector<int64_t>& slices = {});

}  // namespace protolabel::core
