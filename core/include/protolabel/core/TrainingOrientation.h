#pragma once
// The few-shot network is not mirror-invariant: it learned the layout of its training volumes,
// which are stored LAS (voxel x towards the patient's left, y anterior, z superior). Volumes stored
// with flipped axes (RAS, LPS, ...) are flipped into that order before the network sees them, and
// its results flipped back. Flips are their own inverse.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "protolabel/core/Geometry.h"
#include "protolabel/core/Slicing.h"

namespace protolabel::core {

struct AxisFlips {
  bool x = false, y = false, z = false;
  bool any() const { return x || y || z; }
};

// The flips bringing `grid`'s voxel axes to LAS; none when its axes are not x/y/z-aligned already
// (a permuted, e.g. sagittal, acquisition is left as stored).
AxisFlips flipsToTrainingOrientation(const ImageGeometry& grid);

// Flips a voxel buffer (x fastest) in place.
template <class T>
void flipVolume(T* voxels, const Size3& size, AxisFlips f) {
  const int64_t nx = size[0], ny = size[1], nz = size[2];
  if (f.x)
    for (int64_t r = 0; r < ny * nz; ++r) std::reverse(voxels + r * nx, voxels + (r + 1) * nx);
  if (f.y)
    for (int64_t z = 0; z < nz; ++z)
      for (int64_t y = 0; y < ny / 2; ++y)
        std::swap_ranges(voxels + (z * ny + y) * nx, voxels + (z * ny + y + 1) * nx, voxels + (z * ny + ny - 1 - y) * nx);
  if (f.z)
    for (int64_t z = 0; z < nz / 2; ++z)
      std::swap_ranges(voxels + z * nx * ny, voxels + (z + 1) * nx * ny, voxels + (nz - 1 - z) * nx * ny);
}

template <class T>
void flipVolume(std::vector<T>& voxels, const Size3& size, AxisFlips f) {
  if (int64_t(voxels.size()) != size[0] * size[1] * size[2]) throw std::invalid_argument("flipVolume: size mismatch");
  flipVolume(voxels.data(), size, f);
}

// A slice index along `axis` and its in-plane mask (u fastest, see Slicing.h) in the flipped order.
inline int64_t flipSliceIndex(int64_t index, const Size3& size, Axis axis, AxisFlips f) {
  const bool flip[3] = {f.x, f.y, f.z};
  return flip[int(axis)] ? size[std::size_t(axis)] - 1 - index : index;
}
template <class T>
void flipSliceMask(std::vector<T>& mask, const Size3& size, Axis axis, AxisFlips f) {
  const SliceLayout L = sliceLayout(size, axis);
  const bool flip[3] = {f.x, f.y, f.z};
  flipVolume(mask, Size3{L.width, L.height, 1}, AxisFlips{flip[L.inPlaneU], flip[L.inPlaneV], false});
}

}  // namespace protolabel::core
