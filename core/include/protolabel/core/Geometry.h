#pragma once
// Image grid geometry with ITK's conventions: physical space is LPS, the origin is the centre of
// voxel (0,0,0), and physical = origin + direction * diag(spacing) * index.
#include <array>
#include <cstdint>
#include <string>

namespace protolabel::core {

using Vec3 = std::array<double, 3>;
using Size3 = std::array<int64_t, 3>;
// Row-major 3x3 matrix; column c is the physical direction of voxel axis c.
using Matrix3 = std::array<double, 9>;

constexpr Matrix3 kIdentityDirection{1, 0, 0, 0, 1, 0, 0, 0, 1};

struct ImageGeometry {
  Size3 size{0, 0, 0};
  Vec3 spacing{1, 1, 1};
  Vec3 origin{0, 0, 0};
  Matrix3 direction = kIdentityDirection;

  int64_t voxelCount() const { return size[0] * size[1] * size[2]; }
  bool isEmpty() const { return size[0] <= 0 || size[1] <= 0 || size[2] <= 0; }

  Vec3 indexToPhysical(const Vec3& continuousIndex) const;
  Vec3 physicalToIndex(const Vec3& point) const;

  // Same size and, within `tolerance` (mm for origin, relative for spacing, absolute for the
  // direction cosines), the same spacing, origin and direction.
  bool sameGrid(const ImageGeometry& other, double tolerance = 1e-4) const;
  bool hasOrthonormalDirection(double tolerance = 1e-4) const;

  // Three letters naming the anatomical direction each voxel axis points to most (e.g. "LPS", "RAS").
  std::string orientationCode() const;
  std::string describe() const;
};

}  // namespace protolabel::core
