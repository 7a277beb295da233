#include "protolabel/core/editing/ComponentFilter.h"

#include <algorithm>

namespace protolabel::core {

namespace {

// Marks (in `component`) every voxel of `value` reachable from `start`; returns the count.
template <class T, class Id>
int64_t flood(const T* voxels, const Size3& size, T value, int64_t start, std::vector<Id>& component, Id id,
              std::vector<int64_t>& stack) {
  const int64_t sx = size[0], sxy = size[0] * size[1], n = sxy * size[2];
  int64_t count = 0;
  stack.assign(1, start);
  component[std::size_t(start)] = id;
  while (!stack.empty()) {
    const int64_t i = stack.back();
    stack.pop_back();
    ++count;
    const int64_t x = i % sx, y = (i / sx) % size[1];
    const int64_t neighbours[6] = {x > 0 ? i - 1 : -1, x + 1 < sx ? i + 1 : -1, y > 0 ? i - sx : -1,
                                   y + 1 < size[1] ? i + sx : -1, i - sxy, i + sxy};
    for (int64_t j : neighbours)
      if (j >= 0 && j < n && component[std::size_t(j)] == 0 && voxels[j] == value) {
        component[std::size_t(j)] = id;
        stack.push_back(j);
      }
  }
  return count;
}

template <class T, class Id>
int64_t removeUnmarked(T* voxels, int64_t n, T value, const std::vector<Id>& component, Id keep) {
  int64_t removed = 0;
  for (int64_t i = 0; i < n; ++i)
    if (voxels[i] == value && component[std::size_t(i)] != keep) voxels[i] = 0, ++removed;
  return removed;
}

template <class F>
int64_t withVoxels(LabelMap& labels, F&& f) {
  if (labels.pixelType() == PixelType::UInt8) return f(labels.voxels().data<uint8_t>());
  return f(labels.voxels().data<uint16_t>());
}

}  // namespace

int64_t keepConnectedTo(LabelMap& labels, uint16_t value, const std::vector<int64_t>& seeds) {
  const Size3 size = labels.geometry().size;
  const int64_t n = labels.voxels().voxelCount();
  return withVoxels(labels, [&](auto* voxels) {
    using T = std::remove_pointer_t<decltype(voxels)>;
    std::vector<uint8_t> component(std::size_t(n), 0);  // one mark: a byte per voxel, not an id
    std::vector<int64_t> stack;
    for (int64_t s : seeds)
      if (s >= 0 && s < n && voxels[s] == T(value) && component[std::size_t(s)] == 0)
        flood(voxels, size, T(value), s, component, uint8_t(1), stack);
    return removeUnmarked(voxels, n, T(value), component, uint8_t(1));
  });
}

int64_t keepLargestComponent(LabelMap& labels, uint16_t value) {
  const Size3 size = labels.geometry().size;
  const int64_t n = labels.voxels().voxelCount();
  return withVoxels(labels, [&](auto* voxels) {
    using T = std::remove_pointer_t<decltype(voxels)>;
    std::vector<int32_t> component(std::size_t(n), 0);
    std::vector<int64_t> stack;
    int32_t next = 0, best = 0;
    int64_t bestCount = 0;
    for (int64_t i = 0; i < n; ++i)
      if (voxels[i] == T(value) && component[std::size_t(i)] == 0) {
        const int64_t count = flood(voxels, size, T(value), i, component, ++next, stack);
        if (count > bestCount) bestCount = count, best = next;
      }
    return removeUnmarked(voxels, n, T(value), component, best);
  });
}

int64_t fillHolesInSlices(LabelMap& labels, uint16_t value, Axis axis) {
  const Size3 size = labels.geometry().size;
  const SliceLayout L = sliceLayout(size, axis);
  return withVoxels(labels, [&](auto* voxels) {
    using T = std::remove_pointer_t<decltype(voxels)>;
    int64_t filled = 0;
    std::vector<uint8_t> outside;
    std::vector<int64_t> stack;
    for (int64_t s = 0; s < L.count; ++s) {
      std::vector<T> plane = extractSlice(voxels, size, axis, s);
      if (std::find(plane.begin(), plane.end(), T(value)) == plane.end()) continue;
      // Everything reachable from the border without crossing `value` is outside.
      outside.assign(plane.size(), 0);
      stack.clear();
      auto push = [&](int64_t u, int64_t v) {
        const std::size_t i = std::size_t(v * L.width + u);
        if (!outside[i] && plane[i] != T(value)) outside[i] = 1, stack.push_back(int64_t(i));
      };
      for (int64_t u = 0; u < L.width; ++u) push(u, 0), push(u, L.height - 1);
      for (int64_t v = 0; v < L.height; ++v) push(0, v), push(L.width - 1, v);
      while (!stack.empty()) {
        const int64_t i = stack.back();
        stack.pop_back();
        const int64_t u = i % L.width, v = i / L.width;
        if (u > 0) push(u - 1, v);
        if (u + 1 < L.width) push(u + 1, v);
        if (v > 0) push(u, v - 1);
        if (v + 1 < L.height) push(u, v + 1);
      }
      int64_t here = 0;
      for (std::size_t i = 0; i < plane.size(); ++i)
        if (!outside[i] && plane[i] == T(0)) plane[i] = T(value), ++here;
      if (here) insertSlice(voxels, size, axis, s, plane.data());
      filled += here;
    }
    return filled;
  });
}

}  // namespace protolabel::core
