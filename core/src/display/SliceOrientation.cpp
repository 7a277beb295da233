#include "protolabel/core/display/SliceOrientation.h"

#include <cmath>

namespace protolabel::core {

namespace {

Vec3 column(const ImageGeometry& g, int axis) {
  return {g.direction[0 * 3 + axis], g.direction[1 * 3 + axis], g.direction[2 * 3 + axis]};
}
Vec3 negate(const Vec3& v) { return {-v[0], -v[1], -v[2]}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

}  // namespace

char directionLetter(const Vec3& d) {
  int best = 0;
  for (int i = 1; i < 3; ++i)
    if (std::abs(d[i]) > std::abs(d[best])) best = i;
  static const char positive[3] = {'L', 'P', 'S'}, negative[3] = {'R', 'A', 'I'};
  return d[best] >= 0 ? positive[best] : negative[best];
}

SliceOrientation sliceOrientation(const ImageGeometry& geometry, Axis axis) {
  const SliceLayout layout = sliceLayout(geometry.size, axis);
  const Vec3 u = column(geometry, layout.inPlaneU), v = column(geometry, layout.inPlaneV);
  // Wanted physical directions of the screen's right and down, in LPS.
  Vec3 right{1, 0, 0}, down{0, 1, 0};                  // axial: left of patient right, posterior down
  if (axis == Axis::Y) down = {0, 0, -1};              // coronal: inferior down
  if (axis == Axis::X) right = {0, 1, 0}, down = {0, 0, -1};  // sagittal: posterior right
  SliceOrientation o;
  o.flipU = dot(u, right) < 0;
  o.flipV = dot(v, down) < 0;
  const Vec3 screenRight = o.flipU ? negate(u) : u, screenDown = o.flipV ? negate(v) : v;
  o.right = directionLetter(screenRight);
  o.left = directionLetter(negate(screenRight));
  o.bottom = directionLetter(screenDown);
  o.top = directionLetter(negate(screenDown));
  return o;
}

}  // namespace protolabel::core
