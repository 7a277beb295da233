#include "protolabel/core/editing/SliceBrush.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "SliceAccess.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

using editing_detail::checkValueFits;
using editing_detail::LockTable;
using editing_detail::PlaneBox;
using editing_detail::SlicePlane;
using editing_detail::slicePlane;

namespace {

// The brush's semi-axes in voxels along the slice's u and v axes.
struct SemiAxes {
  double u = 0, v = 0;
};

SemiAxes semiAxesOf(const LabelMap& labels, Axis axis, const BrushShape& brush) {
  if (!std::isfinite(brush.radius) || brush.radius < 0)
    throw Error(ErrorCode::InvalidArgument, "the brush radius must be a finite, non-negative number");
  SemiAxes r{brush.radius, brush.radius};
  if (brush.radiusInMillimetres) {
    const SliceLayout layout = sliceLayout(labels.geometry().size, axis);
    const Vec3& spacing = labels.geometry().spacing;
    r = {brush.radius / spacing[layout.inPlaneU], brush.radius / spacing[layout.inPlaneV]};
  }
  // Far beyond any image; the bound keeps every coordinate below exactly representable in a double.
  constexpr double kLargestSemiAxis = 1e6;
  if (!(r.u <= kLargestSemiAxis && r.v <= kLargestSemiAxis))
    throw Error(ErrorCode::InvalidArgument, "the brush radius is larger than any image");
  return r;
}

void checkFinite(double u, double v) {
  if (!std::isfinite(u) || !std::isfinite(v))
    throw Error(ErrorCode::InvalidArgument, "the brush position must be finite");
}

int64_t nearestVoxel(double x) { return static_cast<int64_t>(std::floor(x + 0.5)); }

// Calls f(v, uFirst, uLast) for each row of the disc inside a width x height slice. The rows follow the
// documented rule exactly: the span estimate from the ellipse equation is corrected voxel by voxel
// with the same inequality, so rounding never adds or drops a boundary voxel.
template <class F>
void forEachDiscSpan(double cu, double cv, SemiAxes r, int64_t width, int64_t height, F&& f) {
  const int64_t centreU = nearestVoxel(cu), centreV = nearestVoxel(cv);
  const bool hasArea = r.u > 0 && r.v > 0;
  const double reachU = hasArea ? r.u : 0, reachV = hasArea ? r.v : 0;
  // Entirely outside: nothing to do (also keeps the integer conversions below in range).
  if (cu + reachU < -1 || cu - reachU > static_cast<double>(width) || cv + reachV < -1 ||
      cv - reachV > static_cast<double>(height))
    return;
  const double ru2 = r.u * r.u, rv2 = r.v * r.v;
  const int64_t vFirst = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(cv - reachV)) - 1);
  const int64_t vLast = std::min<int64_t>(height - 1, static_cast<int64_t>(std::floor(cv + reachV)) + 1);
  for (int64_t v = vFirst; v <= vLast; ++v) {
    int64_t lo = 1, hi = 0;  // empty
    if (hasArea) {
      const double dv = static_cast<double>(v) - cv;
      const double t = dv * dv / rv2;
      if (t <= 1) {
        const auto inside = [&](int64_t u) {
          const double du = static_cast<double>(u) - cu;
          return du * du / ru2 + t <= 1.0;
        };
        const double half = r.u * std::sqrt(1 - t);
        lo = static_cast<int64_t>(std::ceil(cu - half));
        hi = static_cast<int64_t>(std::floor(cu + half));
        while (inside(lo - 1)) --lo;
        while (lo <= hi && !inside(lo)) ++lo;
        while (inside(hi + 1)) ++hi;
        while (hi >= lo && !inside(hi)) --hi;
      }
    }
    if (v == centreV) {  // the voxel under the centre is always painted
      if (lo > hi) {
        lo = hi = centreU;
      } else {
        lo = std::min(lo, centreU);
        hi = std::max(hi, centreU);
      }
    }
    lo = std::max<int64_t>(lo, 0);
    hi = std::min<int64_t>(hi, width - 1);
    if (lo <= hi) f(v, lo, hi);
  }
}

// Cuts the segment to the part whose discs can reach a width x height slice, so a stroke thrown far
// off the image costs nothing. Returns false when no part can reach it.
bool clipSegment(double& u0, double& v0, double& u1, double& v1, SemiAxes r, int64_t width, int64_t height) {
  const double lower[2] = {-1 - r.u, -1 - r.v};
  const double upper[2] = {static_cast<double>(width) + r.u, static_cast<double>(height) + r.v};
  const double start[2] = {u0, v0}, delta[2] = {u1 - u0, v1 - v0};
  double tFirst = 0, tLast = 1;
  for (int a = 0; a < 2; ++a) {
    if (delta[a] == 0) {
      if (start[a] < lower[a] || start[a] > upper[a]) return false;
      continue;
    }
    double t0 = (lower[a] - start[a]) / delta[a], t1 = (upper[a] - start[a]) / delta[a];
    if (t0 > t1) std::swap(t0, t1);
    tFirst = std::max(tFirst, t0);
    tLast = std::min(tLast, t1);
  }
  if (tFirst > tLast) return false;
  u0 = start[0] + tFirst * delta[0];
  v0 = start[1] + tFirst * delta[1];
  u1 = start[0] + tLast * delta[0];
  v1 = start[1] + tLast * delta[1];
  return true;
}

// Calls f(u, v) for every voxel whose cell the segment passes through (cells centred on integers),
// in order, each step moving to a 4-neighbour.
template <class F>
void forEachCellOnSegment(double u0, double v0, double u1, double v1, F&& f) {
  int64_t cu = nearestVoxel(u0), cv = nearestVoxel(v0);
  const int64_t endU = nearestVoxel(u1), endV = nearestVoxel(v1);
  const double du = u1 - u0, dv = v1 - v0;
  const int64_t stepU = du > 0 ? 1 : -1, stepV = dv > 0 ? 1 : -1;
  constexpr double kNever = std::numeric_limits<double>::infinity();
  // Segment parameter at the next cell border along each axis, and between borders.
  double nextU = du == 0 ? kNever : (static_cast<double>(cu) + 0.5 * static_cast<double>(stepU) - u0) / du;
  double nextV = dv == 0 ? kNever : (static_cast<double>(cv) + 0.5 * static_cast<double>(stepV) - v0) / dv;
  const double deltaU = du == 0 ? kNever : 1 / std::abs(du), deltaV = dv == 0 ? kNever : 1 / std::abs(dv);
  f(cu, cv);
  // Rounding near a corner may favour either axis; the end cell is reached either way.
  for (int64_t remaining = std::abs(endU - cu) + std::abs(endV - cv); remaining > 0; --remaining) {
    if (cv == endV || (cu != endU && nextU < nextV)) {
      cu += stepU;
      nextU += deltaU;
    } else {
      cv += stepV;
      nextV += deltaV;
    }
    f(cu, cv);
  }
}

// What a brush action covers: discs at these centres plus, for strokes, every voxel the centre line
// crosses (so even a brush thinner than a voxel leaves an unbroken 4-connected line).
struct BrushPath {
  std::vector<std::pair<double, double>> centres;
  std::vector<std::pair<int64_t, int64_t>> lineVoxels;  // inside the slice
};

BrushPath discPath(double u, double v) {
  checkFinite(u, v);
  return BrushPath{{{u, v}}, {}};
}

// Disc centres along the segment, half the smaller semi-axis apart: consecutive discs then overlap so
// the band is at least 0.97 radii wide everywhere. Half a voxel apart for brushes under a voxel.
BrushPath strokePath(const LabelMap& labels, Axis axis, double u0, double v0, double u1, double v1, SemiAxes r) {
  checkFinite(u0, v0);
  checkFinite(u1, v1);
  BrushPath path;
  const SliceLayout layout = sliceLayout(labels.geometry().size, axis);
  if (!clipSegment(u0, v0, u1, v1, r, layout.width, layout.height)) return path;
  const double length = std::hypot(u1 - u0, v1 - v0);
  const double step = std::max(0.5, 0.5 * std::min(r.u, r.v));
  const int64_t steps = static_cast<int64_t>(std::ceil(length / step));
  path.centres.reserve(static_cast<std::size_t>(steps + 1));
  path.centres.emplace_back(u0, v0);
  for (int64_t k = 1; k <= steps; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(steps);
    path.centres.emplace_back(u0 + t * (u1 - u0), v0 + t * (v1 - v0));
  }
  forEachCellOnSegment(u0, v0, u1, v1, [&](int64_t u, int64_t v) {
    if (u >= 0 && v >= 0 && u < layout.width && v < layout.height) path.lineVoxels.emplace_back(u, v);
  });
  return path;
}

// Calls f(v, uFirst, uLast) for every span the path covers inside the slice; spans may overlap.
template <class F>
void forEachPathSpan(const BrushPath& path, SemiAxes r, int64_t width, int64_t height, F&& f) {
  for (const auto& [cu, cv] : path.centres) forEachDiscSpan(cu, cv, r, width, height, f);
  for (const auto& [u, v] : path.lineVoxels) f(v, u, u);
}

// Which voxels the threshold brush may paint (all without a threshold).
struct IntensityGate {
  const Volume* image;
  const void* labelsBase;
  std::size_t labelSize;
  double low, high;
  template <class T>
  bool allows(const T* voxel) const {
    if (!image) return true;
    const double x = image->valueAtLinear(int64_t((reinterpret_cast<const char*>(voxel) -
                                                   static_cast<const char*>(labelsBase)) / std::ptrdiff_t(labelSize)));
    return x >= low && x <= high;
  }
};

template <class T>
void paintSpan(const SlicePlane<T>& plane, const LockTable& locks, const IntensityGate& gate, T value, int64_t v,
               int64_t u0, int64_t u1, PlaneBox& changed) {
  int64_t first = INT64_MAX, last = INT64_MIN;
  T* p = &plane.at(u0, v);
  for (int64_t u = u0; u <= u1; ++u, p += plane.strideU) {
    const T current = *p;
    if (current == value || locks[current] || !gate.allows(p)) continue;
    *p = value;
    if (first == INT64_MAX) first = u;
    last = u;
  }
  if (first <= last) changed.add(v, first, last);
}

template <class T>
IndexBox paintPathOf(LabelMap& labels, Axis axis, int64_t slice, const BrushPath& path, SemiAxes r,
                     const PaintRules& rules) {
  const SlicePlane<T> plane = slicePlane<T>(labels, axis, slice);
  const LockTable locks(rules.locked, labels.pixelType());
  const T value = static_cast<T>(rules.value);
  const IntensityGate gate{rules.image, labels.voxels().rawData(), sizeof(T), rules.low, rules.high};
  PlaneBox changed;
  forEachPathSpan(path, r, plane.width, plane.height, [&](int64_t v, int64_t u0, int64_t u1) {
    paintSpan(plane, locks, gate, value, v, u0, u1, changed);
  });
  return changed.toIndexBox(plane.layout, plane.normal, slice);
}

IndexBox paintPath(LabelMap& labels, Axis axis, int64_t slice, const BrushPath& path, SemiAxes r,
                   const PaintRules& rules) {
  checkValueFits(labels, rules.value);
  if (rules.image && rules.image->size() != labels.geometry().size)
    throw Error(ErrorCode::GridMismatch, "the threshold brush's image is not on the labels' grid");
  if (labels.pixelType() == PixelType::UInt8) return paintPathOf<uint8_t>(labels, axis, slice, path, r, rules);
  return paintPathOf<uint16_t>(labels, axis, slice, path, r, rules);
}

IndexBox boundsOf(const LabelMap& labels, Axis axis, int64_t slice, const BrushPath& path, SemiAxes r) {
  const SliceLayout layout = sliceLayout(labels.geometry().size, axis);
  if (slice < 0 || slice >= layout.count) throw std::out_of_range("slice index out of range");
  PlaneBox box;
  forEachPathSpan(path, r, layout.width, layout.height, [&](int64_t v, int64_t u0, int64_t u1) { box.add(v, u0, u1); });
  return box.toIndexBox(layout, static_cast<int>(axis), slice);
}

}  // namespace

IndexBox paintDisc(LabelMap& labels, Axis axis, int64_t slice, double u, double v, const BrushShape& brush,
                   const PaintRules& rules) {
  const BrushPath path = discPath(u, v);
  return paintPath(labels, axis, slice, path, semiAxesOf(labels, axis, brush), rules);
}

IndexBox paintStroke(LabelMap& labels, Axis axis, int64_t slice, double u0, double v0, double u1, double v1,
                     const BrushShape& brush, const PaintRules& rules) {
  const SemiAxes r = semiAxesOf(labels, axis, brush);
  return paintPath(labels, axis, slice, strokePath(labels, axis, u0, v0, u1, v1, r), r, rules);
}

IndexBox discBounds(const LabelMap& labels, Axis axis, int64_t slice, double u, double v, const BrushShape& brush) {
  const BrushPath path = discPath(u, v);
  return boundsOf(labels, axis, slice, path, semiAxesOf(labels, axis, brush));
}

IndexBox strokeBounds(const LabelMap& labels, Axis axis, int64_t slice, double u0, double v0, double u1, double v1,
                      const BrushShape& brush) {
  const SemiAxes r = semiAxesOf(labels, axis, brush);
  return boundsOf(labels, axis, slice, strokePath(labels, axis, u0, v0, u1, v1, r), r);
}

}  // namespace protolabel::core
