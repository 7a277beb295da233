#include "protolabel/core/editing/SliceInterpolation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace protolabel::core {

namespace {

constexpr float kFar = 1e20f;

// Felzenszwalb & Huttenlocher's exact 1D squared distance transform of `f` (n values, spacing `h`):
// d[q] = min_p (h (q - p))^2 + f[p]. O(n) with the lower envelope of parabolas.
void distance1D(const float* f, int64_t n, double h, float* d, std::vector<int64_t>& v, std::vector<double>& z) {
  const double h2 = h * h;
  const auto intersection = [&](int64_t q, int64_t p) {
    return ((f[q] + h2 * double(q) * double(q)) - (f[p] + h2 * double(p) * double(p))) / (2 * h2 * double(q - p));
  };
  std::size_t k = 0;
  v[0] = 0;
  z[0] = -std::numeric_limits<double>::infinity();
  z[1] = std::numeric_limits<double>::infinity();
  for (int64_t q = 1; q < n; ++q) {
    double s = intersection(q, v[k]);
    while (s <= z[k]) s = intersection(q, v[--k]);  // z[0] is -inf: stops at k = 0
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = std::numeric_limits<double>::infinity();
  }
  k = 0;
  for (int64_t q = 0; q < n; ++q) {
    while (z[k + 1] < double(q)) ++k;
    const double dq = h * double(q - v[k]);
    d[q] = float(dq * dq + f[v[k]]);
  }
}

// Squared distance from every voxel to the nearest voxel where `feature` holds.
std::vector<float> squaredDistanceTo(const std::vector<uint8_t>& mask, bool feature, int64_t w, int64_t h, double su,
                                     double sv) {
  std::vector<float> grid(std::size_t(w * h));
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = (mask[i] != 0) == feature ? 0.f : kFar;
  const int64_t n = std::max(w, h);
  std::vector<float> in(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
  std::vector<int64_t> v(static_cast<std::size_t>(n));
  std::vector<double> z(static_cast<std::size_t>(n + 1));
  for (int64_t y = 0; y < h; ++y) {
    std::copy_n(&grid[std::size_t(y * w)], w, in.data());
    distance1D(in.data(), w, su, out.data(), v, z);
    std::copy_n(out.data(), w, &grid[std::size_t(y * w)]);
  }
  for (int64_t x = 0; x < w; ++x) {
    for (int64_t y = 0; y < h; ++y) in[std::size_t(y)] = grid[std::size_t(y * w + x)];
    distance1D(in.data(), h, sv, out.data(), v, z);
    for (int64_t y = 0; y < h; ++y) grid[std::size_t(y * w + x)] = out[std::size_t(y)];
  }
  return grid;
}

}  // namespace

std::vector<float> signedDistance2D(const std::vector<uint8_t>& mask, int64_t width, int64_t height, double spacingU,
                                    double spacingV) {
  const std::vector<float> toInside = squaredDistanceTo(mask, true, width, height, spacingU, spacingV);
  const std::vector<float> toOutside = squaredDistanceTo(mask, false, width, height, spacingU, spacingV);
  // Half a voxel towards the boundary on both sides, so the zero level lies between voxel centres.
  const float half = float(0.5 * std::min(spacingU, spacingV));
  std::vector<float> sd(mask.size());
  for (std::size_t i = 0; i < mask.size(); ++i)
    sd[i] = mask[i] ? -(std::sqrt(toOutside[i]) - half) : std::sqrt(toInside[i]) - half;
  return sd;
}

InterpolationResult interpolateBetweenSlices(const LabelMap& labels, uint16_t label, Axis axis) {
  InterpolationResult result;
  const Size3& size = labels.geometry().size;
  result.mask.assign(std::size_t(labels.voxels().voxelCount()), 0);
  const std::vector<int64_t> slices = labels.slicesContaining(label, axis);
  if (slices.size() < 2 || label == 0) return result;

  const SliceLayout L = sliceLayout(size, axis);
  const Vec3& spacing = labels.geometry().spacing;
  const double su = spacing[std::size_t(L.inPlaneU)], sv = spacing[std::size_t(L.inPlaneV)];
  const Volume as16 = labels.pixelType() == PixelType::UInt16 ? Volume() : labels.voxels().convertedTo(PixelType::UInt16);
  const uint16_t* voxels = as16.isNull() ? labels.voxels().data<uint16_t>() : as16.data<uint16_t>();

  std::vector<float> upper = signedDistance2D(labels.sliceMask(axis, slices[0], label), L.width, L.height, su, sv);
  for (std::size_t k = 1; k < slices.size(); ++k) {
    const int64_t a = slices[k - 1], b = slices[k];
    std::vector<float> lower = std::move(upper);
    upper = signedDistance2D(labels.sliceMask(axis, b, label), L.width, L.height, su, sv);
    for (int64_t s = a + 1; s < b; ++s) {
      const float t = float(s - a) / float(b - a);
      const std::vector<uint16_t> current = extractSlice(voxels, size, axis, s);
      std::vector<uint8_t> added(current.size(), 0);
      int64_t count = 0;
      for (std::size_t i = 0; i < current.size(); ++i)
        if (current[i] == 0 && (1 - t) * lower[i] + t * upper[i] <= 0) added[i] = 1, ++count;
      if (count == 0) continue;
      insertSlice(result.mask.data(), size, axis, s, added.data());
      result.voxels += count;
      ++result.filledSlices;
    }
  }
  return result;
}

}  // namespace protolabel::core
