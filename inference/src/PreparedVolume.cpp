#include "PreparedVolume.h"

#include <cmath>
#include <string>
#include <vector>

namespace protolabel::inference {

PreparedVolume prepareVolume(const VolumeView& view, const char* role) {
  using Code = EngineError::Code;
  if ((!view.voxels && !view.wholeVoxels) || view.size[0] < 1 || view.size[1] < 1 || view.size[2] < 1)
    throw EngineError(Code::InvalidInput, std::string("the ") + role + " volume is empty");
  if (view.size[0] < 8 || view.size[1] < 8)
    throw EngineError(Code::InvalidInput, std::string("the ") + role + " volume is too small to segment (under 8 voxels in-plane)");
  PreparedVolume p;
  p.spacing = view.spacing;
  // One pass in double precision, without a float64 copy of a possibly large volume.
  double sum = 0, sumSquares = 0;
  const int64_t n = view.voxelCount();
  const auto accumulate = [&](const auto* voxels) {
    for (int64_t i = 0; i < n; ++i) {
      const double v = voxels[i];
      if (!std::isfinite(v))
        throw EngineError(Code::NonFiniteVoxels, std::string("the ") + role + " volume contains NaN or infinite voxels");
      sum += v;
      sumSquares += v * v;
    }
  };
  if (view.voxels) accumulate(view.voxels);
  else accumulate(view.wholeVoxels);
  const double mean = sum / double(n);
  const double variance = n > 1 ? std::max(0.0, (sumSquares - double(n) * mean * mean) / double(n - 1)) : 0.0;
  const double std = std::sqrt(variance);
  const std::vector<int64_t> zyx{view.size[2], view.size[1], view.size[0]};
  p.raw = view.voxels ? torch::from_blob(const_cast<float*>(view.voxels), zyx, torch::kFloat32)
                      : torch::from_blob(const_cast<int16_t*>(view.wholeVoxels), zyx, torch::kInt16);
  p.mean = mean;
  p.scale = std > 0 ? std : 1.0;
  p.padValue = (p.raw.min().item<double>() - mean) / p.scale;
  return p;
}

}  // namespace protolabel::inference
