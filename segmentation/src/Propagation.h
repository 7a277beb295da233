#pragma once
// Extent control by propagation: a structure is segmented slice by slice outward from its examples.
// Each slice is segmented against the nearest example and against the previous slice's result (the
// network's training episodes are exactly such neighbouring pairs); only the pieces that continue
// the previous slice's structure are kept, and the sweep stops where the structure ends.
#include <cstdint>
#include <functional>
#include <vector>

#include "protolabel/inference/SliceSegmenter.h"
#include "protolabel/segmentation/Examples.h"

namespace protolabel::segmentation {

struct PropagationSettings {
  bool propagate = true;       // off: every slice against its nearest example, nothing stops
  double originWeight = 0.5;   // share of the example's prediction in the blend with the previous slice's
  double continuityMm = 10;    // a piece must lie within this distance of the previous slice's structure
  double stopFraction = 0.3;  // the sweep stops below this share of the example's area
  // The sweep also stops where the segmented region no longer resembles the example's structure
  // (SliceSegmenter::resemblance below this; -1 or less: never).
  double minResemblance = -1;
  uint64_t seed = 2025;
};

// Receives the probability plane of `slice` (u fastest); slices never passed stay at 0.
using PlaneSink = std::function<void(int64_t slice, const std::vector<float>& probability)>;
// Called after every segmented slice; return false to stop (propagate() then returns false).
using SliceTick = std::function<bool()>;
// Adjusts a slice's probability plane before it is thresholded (e.g. an intensity gate); may be empty.
using PlaneFilter = std::function<void(int64_t slice, std::vector<float>& probability)>;

// `examples` are in the segmenter's voxel order; `pixelMm` the slice's pixel size (for continuity).
// `exampleVolume` non-null: the examples lie on that volume (another scan), so nothing is propagated.
// `selfDice` (optional) receives the Dice of the network's own prediction on each example slice
// against that example (query = support): how well the model reproduces what it was shown.
bool propagate(inference::SliceSegmenter& segmenter, const LabelExamples& examples, int64_t width, int64_t height,
               double pixelMm, const PropagationSettings& settings, const PlaneSink& sink, const SliceTick& tick,
               const PlaneFilter& filter, double* selfDice = nullptr,
               const inference::VolumeView* exampleVolume = nullptr, int64_t exampleVolumeSlices = 0);

}  // namespace protolabel::segmentation
