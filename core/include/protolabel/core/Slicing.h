#pragma once
// Orthogonal slices of a voxel grid. A slice normal to axis a keeps the other two axes in increasing
// order: Z (axial) -> (x, y), Y (coronal) -> (x, z), X (sagittal) -> (y, z).
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "protolabel/core/Geometry.h"

namespace protolabel::core {

enum class Axis { X = 0, Y = 1, Z = 2 };

const char* axisName(Axis axis);  // "sagittal", "coronal", "axial"

struct SliceLayout {
  int inPlaneU;  // voxel axis along the slice's width
  int inPlaneV;  // voxel axis along the slice's height
  int64_t width;
  int64_t height;
  int64_t count;  // number of slices along the normal
};

SliceLayout sliceLayout(const Size3& size, Axis axis);

// Copies slice `index` of a volume of `size` into `out` (width*height values, u fastest).
template <class T>
void extractSlice(const T* volume, const Size3& size, Axis axis, int64_t index, T* out) {
  const SliceLayout L = sliceLayout(size, axis);
  if (index < 0 || index >= L.count) throw std::out_of_range("slice index out of range");
  const int64_t stride[3] = {1, size[0], size[0] * size[1]};
  const int64_t base = index * stride[static_cast<int>(axis)];
  const int64_t su = stride[L.inPlaneU], sv = stride[L.inPlaneV];
  for (int64_t v = 0; v < L.height; ++v) {
    const T* row = volume + base + v * sv;
    T* dst = out + v * L.width;
    if (su == 1) {
      std::copy(row, row + L.width, dst);
    } else {
      for (int64_t u = 0; u < L.width; ++u) dst[u] = row[u * su];
    }
  }
}

template <class T>
std::vector<T> extractSlice(const T* volume, const Size3& size, Axis axis, int64_t index) {
  const SliceLayout L = sliceLayout(size, axis);
  std::vector<T> out(static_cast<std::size_t>(L.width * L.height));
  extractSlice(volume, size, axis, index, out.data());
  return out;
}

// Writes `slice` (width*height values) back into slice `index` of the volume.
template <class T>
void insertSlice(T* volume, const Size3& size, Axis axis, int64_t index, const T* slice) {
  const SliceLayout L = sliceLayout(size, axis);
  if (index < 0 || index >= L.count) throw std::out_of_range("slice index out of range");
  const int64_t stride[3] = {1, size[0], size[0] * size[1]};
  const int64_t base = index * stride[static_cast<int>(axis)];
  const int64_t su = stride[L.inPlaneU], sv = stride[L.inPlaneV];
  for (int64_t v = 0; v < L.height; ++v)
    for (int64_t u = 0; u < L.width; ++u) volume[base + v * sv + u * su] = slice[v * L.width + u];
}

}  // namespace protolabel::core
