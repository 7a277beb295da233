#pragma once
// Few-shot volume segmentation with a CoW model: for each label, one or more support slices with
// masks (from the query volume or another volume); every query slice is segmented with its nearest
// support slice along the axis. The query encoder runs once per slice for all labels, and support
// features, self-prediction and prototypes are computed once per support slice and cached.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "protolabel/inference/Model.h"
#include "protolabel/inference/Types.h"

namespace protolabel::inference {

struct SupportSlice {
  int64_t index = 0;           // slice index along the request's axis, in the support volume
  std::vector<uint8_t> mask;   // slice plane, u fastest (see core::Slicing); non-zero = structure
};

struct LabelSupport {
  uint16_t label = 1;
  // The volume the support slices come from; null means the query volume itself.
  const VolumeView* volume = nullptr;
  std::vector<SupportSlice> slices;
};

struct SegmentationRequest {
  VolumeView query;
  std::vector<LabelSupport> labels;
  SliceAxis axis = SliceAxis::Z;
  // Query slices to segment (empty: all). Others get probability 0.
  std::vector<int64_t> querySlices;
  uint64_t seed = 2025;         // prototype sampling is seeded and reproducible
  bool cacheSupport = true;     // false re-encodes the support for every query slice, as the reference
};

struct LabelResult {
  uint16_t label = 0;
  std::vector<float> probability;  // per voxel of the query grid
};

// Where the time went (seconds), for benchmarks and the GUI's ETA.
struct SegmentationTiming {
  double support = 0;  // encoder, self-prediction and prototypes of support slices
  double query = 0;    // query encoder and similarity decoders
  double fusion = 0;   // combining labels, uncertainty, copying results out
  int64_t supportBuilds = 0;
};

struct SegmentationResult {
  std::vector<uint16_t> labelMap;    // per voxel; 0 where no label's probability exceeds 0.5
  std::vector<LabelResult> labels;
  std::vector<float> uncertainty;    // per voxel in [0, 1]: 1 - |2p - 1| of the most likely label
  std::vector<double> sliceUncertainty;  // per slice along the axis (mean over the structure band); -1 if not segmented
  int64_t segmentedSlices = 0;
  SegmentationTiming timing;
};

// Called after every query slice; return false to cancel (the engine then throws
// EngineError(Cancelled) before starting the next slice).
using ProgressCallback = std::function<bool(int64_t done, int64_t total)>;

class Engine {
 public:
  explicit Engine(std::shared_ptr<Model> model);
  ~Engine();
  SegmentationResult segment(const SegmentationRequest& request, const ProgressCallback& progress = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protolabel::inference
