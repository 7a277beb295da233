#include "protolabel/segmentation/NetworkVolume.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace protolabel::segmentation {

namespace {
constexpr double kInt16Low = std::numeric_limits<int16_t>::lowest(), kInt16High = std::numeric_limits<int16_t>::max();

bool isWholeNumber(double v) { return std::isfinite(v) && v == std::round(v); }

// Whether every prepared value is a whole number in int16's range, from the pixel type, the window
// and the range alone (no per-voxel test of fractions).
bool preparesToWholeNumbers(const core::Volume& image, bool clipped, double low, double high) {
  if (image.pixelType() == core::PixelType::Float32) return false;
  if (clipped) return isWholeNumber(low) && isWholeNumber(high) && low >= kInt16Low && high <= kInt16High;
  bool fits = true;
  core::dispatchPixelType(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = image.data<T>();
    const auto [lo, hi] = std::minmax_element(p, p + image.voxelCount());
    fits = image.voxelCount() == 0 || (double(*lo) >= kInt16Low && double(*hi) <= kInt16High);
  });
  return fits;
}

template <class Out>
std::vector<Out> prepared(const core::Volume& image, bool clipped, double low, double high) {
  std::vector<Out> out(static_cast<std::size_t>(image.voxelCount()));
  core::dispatchPixelType(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = image.data<T>();
    if (clipped)
      std::transform(p, p + out.size(), out.begin(), [lo = float(low), hi = float(high)](T v) { return Out(std::clamp(float(v), lo, hi)); });
    else
      std::transform(p, p + out.size(), out.begin(), [](T v) { return Out(v); });
  });
  return out;
}
}  // namespace

NetworkVolume::NetworkVolume(const core::Volume& image, Modality modality, const inference::Preprocessing& preprocessing)
    : size_(image.size()),
      spacing_(image.geometry().spacing),
      flips_(preprocessing.orientation == "LAS" ? core::flipsToTrainingOrientation(image.geometry()) : core::AxisFlips{}),
      modality_(modality) {
  const bool clipped = modality == Modality::CT;
  const double low = preprocessing.ctWindowLow, high = preprocessing.ctWindowHigh;
  if (preparesToWholeNumbers(image, clipped, low, high)) {
    whole_ = prepared<int16_t>(image, clipped, low, high);
    core::flipVolume(whole_, size_, flips_);
  } else {
    real_ = prepared<float>(image, clipped, low, high);
    core::flipVolume(real_, size_, flips_);
  }
}

std::vector<float> NetworkVolume::floatVoxels() const {
  return visitVoxels([&](const auto* v) { return std::vector<float>(v, v + size_[0] * size_[1] * size_[2]); });
}

inference::VolumeView NetworkVolume::view() const {
  inference::VolumeView v;
  v.voxels = real_.empty() ? nullptr : real_.data();
  v.wholeVoxels = whole_.empty() ? nullptr : whole_.data();
  v.size = size_;
  v.spacing = spacing_;
  return v;
}

}  // namespace protolabel::segmentation
