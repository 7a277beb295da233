#include "protolabel/core/display/WindowPresets.h"

#include <algorithm>
#include <cmath>

namespace protolabel::core {

Window percentileWindow(const Volume& volume, double lowPercent, double highPercent) {
  // Plain variables, not a structured binding: the lambdas below capture them (C++17).
  const std::pair<double, double> range = volume.intensityRange();
  const double lo = range.first, hi = range.second;
  if (!(hi > lo)) return Window{1, lo};
  // A fine histogram is exact enough for display and avoids sorting hundreds of millions of voxels.
  constexpr int kBins = 4096;
  std::vector<int64_t> histogram(kBins, 0);
  const double scale = (kBins - 1) / (hi - lo);
  int64_t count = 0;
  dispatchPixelType(volume.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* v = volume.data<T>();
    for (int64_t i = 0, n = volume.voxelCount(); i < n; ++i) {
      const double x = double(v[i]);
      if (!std::isfinite(x)) continue;
      ++histogram[std::size_t((x - lo) * scale)];
      ++count;
    }
  });
  auto quantile = [&](double percent) {
    const double target = percent / 100.0 * double(count);
    int64_t cumulative = 0;
    for (int b = 0; b < kBins; ++b) {
      cumulative += histogram[std::size_t(b)];
      if (double(cumulative) >= target) return lo + b / scale;
    }
    return hi;
  };
  const double a = quantile(lowPercent), b = std::max(quantile(highPercent), a + 1e-6);
  return Window{b - a, (a + b) / 2};
}

bool looksLikeCt(const Volume& volume) {
  const auto [lo, hi] = volume.intensityRange();
  return volume.pixelType() != PixelType::UInt8 && lo <= -900 && lo >= -3100 && hi >= 200 && hi <= 40000;
}

std::vector<WindowPreset> windowPresets(const Volume& volume, const std::optional<Window>& dicomWindow) {
  std::vector<WindowPreset> presets;
  if (dicomWindow && dicomWindow->width > 0) presets.push_back({"DICOM", *dicomWindow});
  if (looksLikeCt(volume)) {
    presets.push_back({"Soft tissue", {400, 40}});
    presets.push_back({"Lung", {1500, -600}});
    presets.push_back({"Liver", {150, 90}});
    presets.push_back({"Bone", {2500, 480}});
    presets.push_back({"Brain", {80, 40}});
  }
  presets.push_back({"Automatic", percentileWindow(volume)});
  return presets;
}

std::vector<float> networkIntensities(const Volume& volume) {
  std::vector<float> voxels = volume.toFloat();
  if (looksLikeCt(volume))
    for (float& v : voxels) v = std::clamp(v, -125.0f, 275.0f);
  return voxels;
}

}  // namespace protolabel::core
