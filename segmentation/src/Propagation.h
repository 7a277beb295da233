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
// Called with the number of slices just settled (1 per segmented slice; the rest of a sweep's share
// when it stops early); return false to cancel (the task then returns false).
using SliceTick = std::function<bool(int64_t slices)>;
// Adjusts a slice's probability plane before it is thresholded (e.g. an intensity gate); may be empty.
using PlaneFilter = std::function<void(int64_t slice, std::vector<float>& probability)>;

// One piece of a structure's segmentation; returns false when cancelled. The pieces of a phase are
// independent: run them in any order, on any threads, the result is the same.
using PropagationTask = std::function<bool()>;

// One structure segmented from its examples, in two phases of tasks: exampleTasks() (each example's
// support, and how well the network reproduces it), then, once they have all run, segmentTasks() (a
// sweep from each example, or every slice against its nearest example when nothing propagates).
// Over the two phases the ticks add up to the slice count. Everything passed must outlive the tasks.
class Propagation {
 public:
  // `examples` are in the segmenter's voxel order; `pixelMm` the slice's pixel size (for continuity).
  // `exampleVolume` non-null: the examples lie on that volume (another scan), so nothing is propagated.
  Propagation(inference::SliceSegmenter& segmenter, const LabelExamples& examples, int64_t width, int64_t height,
              double pixelMm, const PropagationSettings& settings, const PlaneSink& sink, const SliceTick& tick,
              const PlaneFilter& filter, const inference::VolumeView* exampleVolume = nullptr,
              int64_t exampleVolumeSlices = 0);

  std::vector<PropagationTask> exampleTasks();
  std::vector<PropagationTask> segmentTasks();

  // After exampleTasks, NaN for examples from another scan: the Dice on the example slices against the
  // examples (query = support) of the network's probability cut at 0.5 (`decided` false), or of the
  // pipeline's own decision on them, as on every other slice: the filter (decision threshold,
  // intensity gate) applied first and the example itself not pasted (`decided` true).
  double selfDice(bool decided) const;

 private:
  bool runSweep(std::size_t example, int64_t last, int step);

  inference::SliceSegmenter& segmenter_;
  const LabelExamples& examples_;
  int64_t width_, height_;
  double pixelMm_;
  const PropagationSettings& settings_;
  const PlaneSink& sink_;
  const SliceTick& tick_;
  const PlaneFilter& filter_;
  const inference::VolumeView* exampleVolume_;
  int64_t exampleVolumeSlices_;
  std::vector<int> handles_;               // per example, its support
  struct Agreement {
    int64_t both = 0, sum = 0;  // voxels in both; voxels in each, added
    void add(const std::vector<uint8_t>& own, const std::vector<uint8_t>& truth);
    double dice() const { return sum ? 2.0 * double(both) / double(sum) : 1.0; }
  };
  // Per example, for the self Dice: of the network alone, and of the pipeline's decision.
  std::vector<Agreement> network_, decided_;
};

}  // namespace protolabel::segmentation
