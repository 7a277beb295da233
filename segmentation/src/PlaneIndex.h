#pragma once
// Linear voxel indices of the pixels of slices normal to one axis: pixel (u, v) of slice s of a
// volume of `size` (x fastest), with u and v as in core/Slicing.h.
#include <cstddef>
#include <cstdint>

#include "protolabel/core/Slicing.h"

namespace protolabel::segmentation {

class PlaneIndex {
 public:
  PlaneIndex(const core::Size3& size, core::Axis axis)
      : layout_(core::sliceLayout(size, axis)), normal_(stride(size, int(axis))),
        u_(stride(size, layout_.inPlaneU)), v_(stride(size, layout_.inPlaneV)) {}

  int64_t width() const { return layout_.width; }
  int64_t height() const { return layout_.height; }
  int64_t slices() const { return layout_.count; }
  std::size_t pixels() const { return std::size_t(layout_.width * layout_.height); }

  std::size_t operator()(int64_t slice, int64_t u, int64_t v) const { return std::size_t(slice * normal_ + u * u_ + v * v_); }

  // Calls f(pixel, voxel) for every pixel of `slice`: its index in the plane and in the volume.
  template <class F>
  void forEachPixel(int64_t slice, F&& f) const {
    for (int64_t v = 0; v < layout_.height; ++v)
      for (int64_t u = 0; u < layout_.width; ++u) f(std::size_t(v * layout_.width + u), (*this)(slice, u, v));
  }

 private:
  static int64_t stride(const core::Size3& size, int axis) { return axis == 0 ? 1 : axis == 1 ? size[0] : size[0] * size[1]; }
  core::SliceLayout layout_;
  int64_t normal_, u_, v_;
};

}  // namespace protolabel::segmentation
