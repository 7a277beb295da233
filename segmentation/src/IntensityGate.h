#pragma once
// An intensity prior for one structure: voxels whose (in-plane smoothed) intensity lies further than
// k standard deviations from the mean of the structure's example voxels cannot belong to it. Cheap,
// and on CT it cuts the network's leaks into neighbouring tissue of other densities, which also lets
// propagation stop where the structure ends.
#include <cstdint>
#include <vector>

#include "PlaneIndex.h"
#include "protolabel/segmentation/Examples.h"
#include "protolabel/segmentation/NetworkVolume.h"

namespace protolabel::segmentation {

class IntensityGate {
 public:
  // `examples` in the network volume's voxel order.
  // `smoothing`: the radius (pixels) of the in-plane mean filter applied first (0: none).
  IntensityGate(const NetworkVolume& volume, core::Axis axis, const LabelExamples& examples, double deviations,
                int smoothing);
  // Caps the probability of out-of-range pixels of `slice` at 0.5 (never inside).
  void apply(int64_t slice, std::vector<float>& probability) const;
  float low() const { return low_; }
  float high() const { return high_; }

 private:
  std::vector<float> smoothedPlane(int64_t slice) const;
  const NetworkVolume& volume_;
  PlaneIndex index_;
  int smoothing_;
  float low_ = 0, high_ = 0;
};

}  // namespace protolabel::segmentation
