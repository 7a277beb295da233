#pragma once
// Training episodes of two kinds, mixed at a chosen rate:
// - self-supervised (the reference's ADNet sampler): a random volume, a random supervoxel, two
//   adjacent slices that both contain it with at least `minForeground` pixels in the larger one;
//   support and query swapped with probability 0.5;
// - supervised, from labels, shaped like what a viewer user asks: the support is any slice where the
//   structure has at least `minForeground` pixels, the query any other slice of the same volume
//   holding it (near or far), or, with probability `negativeFraction`, a slice just beyond the
//   structure's extent where it is absent, so the network learns to answer "nothing here".
#include <torch/torch.h>

#include <array>
#include <random>
#include <vector>

#include "TrainingVolume.h"

namespace protolabel::inference::training {

struct Episode {
  torch::Tensor supportImage, supportMask;  // H x W float, mask 0/1
  torch::Tensor queryImage, queryMask;
  std::array<double, 2> spacing{1, 1};      // pixel size along W and H (mm)
  double padValue = 0;                      // the volume's minimum, to pad the model input with
  bool supervised = false;
  bool negative = false;                    // the query does not hold the structure
  int64_t supportSlice = -1, querySlice = -1;  // where they came from (-1: not a volume slice)
};

struct SamplerOptions {
  int64_t minForeground = 200;
  double supervisedFraction = 0;  // share of supervised episodes (when some volume has labels)
  double negativeFraction = 0.15;  // share of supervised episodes whose query lacks the structure
  int64_t negativeMargin = 6;      // negative queries lie at most this many slices beyond the extent
};

class EpisodeSampler {
 public:
  // Throws EngineError(InvalidInput) when no volume offers a single episode of a requested kind.
  EpisodeSampler(const std::vector<TrainingVolume>& volumes, const SamplerOptions& options);
  Episode sample(std::mt19937_64& rng) const;
  std::size_t candidatePairs() const;  // self-supervised slice pairs
  std::size_t labelledStructures() const;

 private:
  struct Region {  // a supervoxel: z such that (z, z+1) is a valid pair
    int32_t id;
    std::vector<int64_t> firstSlices;
  };
  struct VolumeRegions {
    std::size_t volume;
    std::vector<Region> regions;
  };
  struct Structure {  // a label of one volume
    std::size_t volume;
    int32_t id;
    std::vector<int64_t> supportSlices;  // at least minForeground pixels
    std::vector<int64_t> querySlices;    // any pixel
    std::vector<int64_t> emptySlices;    // none, within negativeMargin of the extent
  };
  Episode selfSupervised(std::mt19937_64& rng) const;
  Episode supervised(std::mt19937_64& rng) const;

  const std::vector<TrainingVolume>& volumes_;
  SamplerOptions options_;
  std::vector<VolumeRegions> supervoxels_;
  std::vector<Structure> structures_;
};

}  // namespace protolabel::inference::training
