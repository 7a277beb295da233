#pragma once
// A volume as the network expects it (the model file's Preprocessing): intensities, CT clipped to the
// model's window, voxel axes flipped into the training orientation. Labels and masks are flipped the
// same way on the way in and back on the way out; flips are their own inverse. The intensities are
// kept as int16 when they are all whole numbers in its range (a CT in HU clipped to an integer
// window: half the memory of float, the same values), as float otherwise.
#include <cstdint>
#include <vector>

#include "protolabel/core/TrainingOrientation.h"
#include "protolabel/core/Volume.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Types.h"
#include "protolabel/segmentation/Modality.h"

namespace protolabel::segmentation {

class NetworkVolume {
 public:
  // `modality` must be resolved (CT or MR).
  NetworkVolume(const core::Volume& image, Modality modality, const inference::Preprocessing& preprocessing);

  // The prepared intensities as float (a copy when they are kept as int16).
  std::vector<float> floatVoxels() const;
  bool keepsWholeNumbers() const { return !whole_.empty(); }
  // Calls f(const T* voxels) with T float or int16_t, whichever holds them.
  template <class F>
  decltype(auto) visitVoxels(F&& f) const {
    return whole_.empty() ? f(static_cast<const float*>(real_.data())) : f(static_cast<const int16_t*>(whole_.data()));
  }
  // Frees the voxels once the network is done; size and flips stay usable.
  void releaseVoxels() {
    std::vector<float>().swap(real_);
    std::vector<int16_t>().swap(whole_);
  }
  const core::Size3& size() const { return size_; }
  const core::AxisFlips& flips() const { return flips_; }
  Modality modality() const { return modality_; }
  // The engine's view; valid while this object lives.
  inference::VolumeView view() const;

  // From the image's voxel order into the network's, or back (the same flips).
  template <class T>
  void flip(std::vector<T>& volumeBuffer) const { core::flipVolume(volumeBuffer, size_, flips_); }
  int64_t flipSlice(int64_t index, core::Axis axis) const { return core::flipSliceIndex(index, size_, axis, flips_); }
  template <class T>
  void flipSliceMask(std::vector<T>& mask, core::Axis axis) const { core::flipSliceMask(mask, size_, axis, flips_); }

 private:
  std::vector<float> real_;      // one of the two holds the voxels
  std::vector<int16_t> whole_;
  core::Size3 size_;
  core::Vec3 spacing_;
  core::AxisFlips flips_;
  Modality modality_;
};

}  // namespace protolabel::segmentation
