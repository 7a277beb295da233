#pragma once
// Shared by the slice editing sources: addressing one slice of a label map in place, and the
// per-value lock lookup that keeps the inner loops free of std::set searches.
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "protolabel/core/Error.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Slicing.h"

namespace protolabel::core::editing_detail {

// One slice of the voxel buffer, addressed by (u, v) without copying it out.
template <class T>
struct SlicePlane {
  T* base = nullptr;
  int64_t strideU = 0, strideV = 0;
  int64_t width = 0, height = 0;
  SliceLayout layout{};
  int normal = 2;
  int64_t slice = 0;

  T& at(int64_t u, int64_t v) const { return base[v * strideV + u * strideU]; }
};

template <class T>
SlicePlane<T> slicePlane(LabelMap& labels, Axis axis, int64_t slice) {
  const Size3& size = labels.geometry().size;
  SlicePlane<T> plane;
  plane.layout = sliceLayout(size, axis);
  if (slice < 0 || slice >= plane.layout.count)
    throw std::out_of_range("slice " + std::to_string(slice) + " is outside the volume (" +
                            std::to_string(plane.layout.count) + " " + axisName(axis) + " slices)");
  const int64_t stride[3] = {1, size[0], size[0] * size[1]};
  plane.normal = static_cast<int>(axis);
  plane.slice = slice;
  plane.base = labels.voxels().data<T>() + slice * stride[plane.normal];
  plane.strideU = stride[plane.layout.inPlaneU];
  plane.strideV = stride[plane.layout.inPlaneV];
  plane.width = plane.layout.width;
  plane.height = plane.layout.height;
  return plane;
}

// A flag per representable label value: one array lookup per voxel instead of a set search.
class LockTable {
 public:
  LockTable(const std::set<uint16_t>& locked, PixelType type)
      : locked_(type == PixelType::UInt8 ? 256 : 65536, 0) {
    for (uint16_t value : locked)
      if (value < locked_.size()) locked_[value] = 1;
  }
  bool operator[](uint16_t value) const { return locked_[value] != 0; }

 private:
  std::vector<uint8_t> locked_;
};

inline void checkValueFits(const LabelMap& labels, uint16_t value) {
  if (labels.pixelType() == PixelType::UInt8 && value > 255)
    throw Error(ErrorCode::InvalidArgument,
                "label value " + std::to_string(value) + " does not fit a uint8 label map");
}

// Grows a box in slice coordinates and converts it to voxel indices at the end.
struct PlaneBox {
  int64_t uLo = INT64_MAX, uHi = INT64_MIN, vLo = INT64_MAX, vHi = INT64_MIN;

  bool empty() const { return uLo > uHi; }
  void add(int64_t v, int64_t u0, int64_t u1) {
    if (u0 < uLo) uLo = u0;
    if (u1 > uHi) uHi = u1;
    if (v < vLo) vLo = v;
    if (v > vHi) vHi = v;
  }
  IndexBox toIndexBox(const SliceLayout& layout, int normal, int64_t slice) const {
    IndexBox box;
    if (empty()) return box;
    box.lo[layout.inPlaneU] = uLo;
    box.hi[layout.inPlaneU] = uHi;
    box.lo[layout.inPlaneV] = vLo;
    box.hi[layout.inPlaneV] = vHi;
    box.lo[normal] = box.hi[normal] = slice;
    return box;
  }
};

}  // namespace protolabel::core::editing_detail
