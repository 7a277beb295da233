#include "IntensityGate.h"

#include <algorithm>
#include <cmath>

namespace protolabel::segmentation {

IntensityGate::IntensityGate(const NetworkVolume& volume, core::Axis axis, const LabelExamples& examples, double deviations,
                             int smoothing)
    : volume_(volume), index_(volume.size(), axis), smoothing_(std::max(0, smoothing)) {
  double sum = 0, squares = 0;
  int64_t n = 0;
  for (const SliceExample& e : examples.slices) {
    const std::vector<float> plane = smoothedPlane(e.slice);
    for (std::size_t i = 0; i < plane.size(); ++i)
      if (e.mask[i]) sum += plane[i], squares += double(plane[i]) * plane[i], ++n;
  }
  const double mean = n ? sum / double(n) : 0.0;
  const double sd = n ? std::sqrt(std::max(0.0, squares / double(n) - mean * mean)) : 0.0;
  low_ = float(mean - deviations * sd);
  high_ = float(mean + deviations * sd);
}

std::vector<float> IntensityGate::smoothedPlane(int64_t slice) const {
  // A mean in the plane: noise no longer decides, tissue does.
  const int64_t w = index_.width(), h = index_.height();
  std::vector<float> out(index_.pixels());
  volume_.visitVoxels([&](const auto* voxels) {
    for (int64_t v = 0; v < h; ++v)
      for (int64_t u = 0; u < w; ++u) {
        double sum = 0;
        int n = 0;
        for (int64_t dv = -smoothing_; dv <= smoothing_; ++dv)
          for (int64_t du = -smoothing_; du <= smoothing_; ++du) {
            const int64_t uu = u + du, vv = v + dv;
            if (uu < 0 || vv < 0 || uu >= w || vv >= h) continue;
            sum += voxels[index_(slice, uu, vv)];
            ++n;
          }
        out[std::size_t(v * w + u)] = float(sum / n);
      }
  });
  return out;
}

void IntensityGate::apply(int64_t slice, std::vector<float>& probability) const {
  const std::vector<float> plane = smoothedPlane(slice);
  for (std::size_t i = 0; i < probability.size(); ++i)
    if (plane[i] < low_ || plane[i] > high_) probability[i] = std::min(probability[i], 0.5f);
}

}  // namespace protolabel::segmentation
