#include "protolabel/core/GridAlignment.h"

#include <cmath>
#include <optional>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

// How voxel axis a of the target grid runs through the source grid: along source axis `axis`, from
// `start`, one voxel per step, forwards or backwards.
struct AxisMap {
  int axis = 0;
  bool reversed = false;
  int64_t start = 0;
};

Vec3 step(const ImageGeometry& g, int axis) {
  return {g.direction[0 * 3 + axis] * g.spacing[axis], g.direction[1 * 3 + axis] * g.spacing[axis],
          g.direction[2 * 3 + axis] * g.spacing[axis]};
}

double distance(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

std::optional<std::array<AxisMap, 3>> latticeMap(const ImageGeometry& from, const ImageGeometry& to, double tolerance) {
  if (from.isEmpty() || to.isEmpty() || from.voxelCount() != to.voxelCount()) return std::nullopt;
  std::array<AxisMap, 3> map;
  bool used[3] = {false, false, false};
  const Vec3 start = from.physicalToIndex(to.origin);
  for (int a = 0; a < 3; ++a) {
    const Vec3 t = step(to, a);
    const double length = std::sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
    bool found = false;
    for (int b = 0; b < 3 && !found; ++b) {
      if (used[b] || from.size[b] != to.size[a]) continue;
      const Vec3 s = step(from, b);
      const Vec3 minus{-s[0], -s[1], -s[2]};
      for (bool reversed : {false, true}) {
        if (distance(t, reversed ? minus : s) > tolerance * length) continue;
        const double first = start[b];
        const int64_t rounded = std::llround(first);
        const int64_t expected = reversed ? from.size[b] - 1 : 0;
        if (std::abs(first - double(rounded)) > tolerance || rounded != expected) continue;
        map[a] = AxisMap{b, reversed, rounded};
        used[b] = found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  return map;
}

template <class T>
void copyAligned(const Volume& from, Volume& to, const std::array<AxisMap, 3>& map) {
  const T* src = from.data<T>();
  T* dst = to.data<T>();
  const Size3& n = to.size();
  // Source strides of the target's axes, and the source index of target voxel (0, 0, 0).
  const int64_t stride[3] = {1, from.size()[0], from.size()[0] * from.size()[1]};
  int64_t base = 0, delta[3];
  for (int a = 0; a < 3; ++a) {
    base += map[a].start * stride[map[a].axis];
    delta[a] = (map[a].reversed ? -1 : 1) * stride[map[a].axis];
  }
  int64_t out = 0;
  for (int64_t k = 0; k < n[2]; ++k)
    for (int64_t j = 0; j < n[1]; ++j) {
      const int64_t row = base + k * delta[2] + j * delta[1];
      for (int64_t i = 0; i < n[0]; ++i) dst[out++] = src[row + i * delta[0]];
    }
}

}  // namespace

bool sameLattice(const ImageGeometry& from, const ImageGeometry& to, double tolerance) {
  return latticeMap(from, to, tolerance).has_value();
}

LabelMap alignLabelsToGrid(const LabelMap& labels, const ImageGeometry& grid) {
  if (labels.geometry().sameGrid(grid)) return labels;
  const auto map = latticeMap(labels.geometry(), grid, 1e-3);
  if (!map)
    throw Error(ErrorCode::GridMismatch, "The labels do not lie on the image's grid (labels: " +
                                             labels.geometry().describe() + "; image: " + grid.describe() +
                                             "), not even with flipped or swapped axes; they would need resampling.");
  Volume voxels(grid, labels.pixelType());
  if (labels.pixelType() == PixelType::UInt8)
    copyAligned<uint8_t>(labels.voxels(), voxels, *map);
  else
    copyAligned<uint16_t>(labels.voxels(), voxels, *map);
  return LabelMap(std::move(voxels), labels.table());
}

}  // namespace protolabel::core
