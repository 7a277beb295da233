#include "protolabel/segmentation/NetworkVolume.h"

#include <algorithm>

namespace protolabel::segmentation {

NetworkVolume::NetworkVolume(const core::Volume& image, Modality modality, const inference::Preprocessing& preprocessing)
    : voxels_(image.toFloat()),
      size_(image.size()),
      spacing_(image.geometry().spacing),
      flips_(preprocessing.orientation == "LAS" ? core::flipsToTrainingOrientation(image.geometry()) : core::AxisFlips{}),
      modality_(modality) {
  if (modality == Modality::CT) {
    const auto lo = float(preprocessing.ctWindowLow), hi = float(preprocessing.ctWindowHigh);
    for (float& v : voxels_) v = std::clamp(v, lo, hi);
  }
  core::flipVolume(voxels_, size_, flips_);
}

inference::VolumeView NetworkVolume::view() const {
  inference::VolumeView v;
  v.voxels = voxels_.data();
  v.size = size_;
  v.spacing = spacing_;
  return v;
}

}  // namespace protolabel::segmentation
