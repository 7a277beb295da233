#include "protolabel/core/Geometry.h"

#include <cmath>
#include <sstream>

namespace protolabel::core {

Vec3 ImageGeometry::indexToPhysical(const Vec3& index) const {
  Vec3 p = origin;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += direction[r * 3 + c] * spacing[c] * index[c];
  return p;
}

Vec3 ImageGeometry::physicalToIndex(const Vec3& point) const {
  // Invert direction*diag(spacing) with the adjugate; direction need not be orthonormal.
  double m[9];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m[r * 3 + c] = direction[r * 3 + c] * spacing[c];
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  const double inv[9] = {
      (m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
      (m[5] * m[6] - m[3] * m[8]) / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
      (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det};
  const Vec3 d{point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]};
  Vec3 index{};
  for (int r = 0; r < 3; ++r) index[r] = inv[r * 3] * d[0] + inv[r * 3 + 1] * d[1] + inv[r * 3 + 2] * d[2];
  return index;
}

bool ImageGeometry::sameGrid(const ImageGeometry& other, double tolerance) const {
  if (size != other.size) return false;
  for (int i = 0; i < 3; ++i) {
    if (std::abs(spacing[i] - other.spacing[i]) > tolerance * std::max(1.0, std::abs(spacing[i]))) return false;
    if (std::abs(origin[i] - other.origin[i]) > tolerance * std::max(1.0, std::abs(origin[i]))) return false;
  }
  for (int i = 0; i < 9; ++i)
    if (std::abs(direction[i] - other.direction[i]) > tolerance) return false;
  return true;
}

bool ImageGeometry::hasOrthonormalDirection(double tolerance) const {
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += direction[r * 3 + a] * direction[r * 3 + b];
      if (std::abs(dot - (a == b ? 1.0 : 0.0)) > tolerance) return false;
    }
  return true;
}

std::string ImageGeometry::orientationCode() const {
  // LPS: +x is Left, +y is Posterior, +z is Superior.
  static const char positive[3] = {'L', 'P', 'S'};
  static const char negative[3] = {'R', 'A', 'I'};
  std::string code;
  for (int c = 0; c < 3; ++c) {
    int best = 0;
    for (int r = 1; r < 3; ++r)
      if (std::abs(direction[r * 3 + c]) > std::abs(direction[best * 3 + c])) best = r;
    code += direction[best * 3 + c] >= 0 ? positive[best] : negative[best];
  }
  return code;
}

std::string ImageGeometry::describe() const {
  std::ostringstream out;
  out << size[0] << "x" << size[1] << "x" << size[2] << " voxels, spacing " << spacing[0] << "x" << spacing[1]
      << "x" << spacing[2] << " mm, origin (" << origin[0] << ", " << origin[1] << ", " << origin[2] << "), "
      << orientationCode();
  return out.str();
}

}  // namespace protolabel::core
