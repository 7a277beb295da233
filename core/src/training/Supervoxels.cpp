#include "protolabel/core/training/Supervoxels.h"

#include <itkSLICImageFilter.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <unordered_map>

#include "../io/ItkBridge.h"

namespace protolabel::core {

namespace {

// 4-connected flood fill from `seed` over pixels where `inside(i)` holds; marks them in `seen`.
template <class Inside>
std::vector<int64_t> floodFill(int64_t seed, int64_t w, int64_t h, std::vector<uint8_t>& seen, Inside inside) {
  std::vector<int64_t> region;
  std::deque<int64_t> queue{seed};
  seen[std::size_t(seed)] = 1;
  while (!queue.empty()) {
    const int64_t p = queue.front();
    queue.pop_front();
    region.push_back(p);
    const int64_t x = p % w, y = p / w;
    const int64_t next[4] = {x > 0 ? p - 1 : -1, x + 1 < w ? p + 1 : -1, y > 0 ? p - w : -1, y + 1 < h ? p + w : -1};
    for (int64_t q : next)
      if (q >= 0 && !seen[std::size_t(q)] && inside(q)) {
        seen[std::size_t(q)] = 1;
        queue.push_back(q);
      }
  }
  return region;
}

}  // namespace

Volume bodyMask(const Volume& image) {
  const Size3& s = image.size();
  const int64_t w = s[0], h = s[1], plane = w * h;
  const std::vector<float> v = image.toFloat();
  const auto [lo, hi] = image.intensityRange();
  const double scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
  Volume mask(image.geometry(), PixelType::UInt8);
  uint8_t* out = mask.data<uint8_t>();
  for (int64_t z = 0; z < s[2]; ++z) {
    const float* slice = v.data() + z * plane;
    auto bright = [&](int64_t i) { return (slice[i] - lo) * scale > 10.0; };
    // The largest bright component.
    std::vector<uint8_t> seen(std::size_t(plane), 0);
    std::vector<int64_t> largest;
    for (int64_t i = 0; i < plane; ++i)
      if (!seen[std::size_t(i)] && bright(i)) {
        auto region = floodFill(i, w, h, seen, bright);
        if (region.size() > largest.size()) largest = std::move(region);
      }
    std::vector<uint8_t> body(std::size_t(plane), 0);
    for (int64_t i : largest) body[std::size_t(i)] = 1;
    // Fill holes: everything not reachable from the border through non-body pixels is body.
    std::vector<uint8_t> outside(std::size_t(plane), 0);
    auto background = [&](int64_t i) { return !body[std::size_t(i)]; };
    for (int64_t i = 0; i < plane; ++i) {
      const bool border = i % w == 0 || i % w == w - 1 || i / w == 0 || i / w == h - 1;
      if (border && !outside[std::size_t(i)] && background(i)) floodFill(i, w, h, outside, background);
    }
    for (int64_t i = 0; i < plane; ++i) out[z * plane + i] = outside[std::size_t(i)] ? 0 : 1;
  }
  return mask;
}

Volume computeSupervoxels(const Volume& image, const SupervoxelOptions& options) {
  using FloatImage = itk::Image<float, 3>;
  using LabelImage = itk::Image<uint32_t, 3>;
  const Volume asFloat = image.convertedTo(PixelType::Float32);
  auto input = itkViewOf<float>(asFloat);

  // A grid of roughly cubic supervoxels (in millimetres) holding the requested number of voxels.
  const Vec3& sp = image.geometry().spacing;
  const double side = std::cbrt(options.voxelsPerSupervoxel * sp[0] * sp[1] * sp[2]);
  itk::SLICImageFilter<FloatImage, LabelImage>::SuperGridSizeType grid;
  for (int d = 0; d < 3; ++d)
    grid[d] = std::max<unsigned>(1, unsigned(std::lround(std::min<double>(side / sp[d], double(image.size()[d])))));
  auto slic = itk::SLICImageFilter<FloatImage, LabelImage>::New();
  slic->SetInput(input);
  slic->SetSuperGridSize(grid);
  slic->SetMaximumNumberOfIterations(options.iterations);
  slic->SetEnforceConnectivity(true);
  slic->Update();

  const Volume body = bodyMask(image);
  const uint32_t* labels = slic->GetOutput()->GetBufferPointer();
  const uint8_t* inside = body.data<uint8_t>();
  Volume ids(image.geometry(), PixelType::UInt16);
  uint16_t* out = ids.data<uint16_t>();
  std::unordered_map<uint32_t, uint16_t> compact;  // SLIC ids -> 1, 2, ... (body voxels only)
  for (int64_t i = 0, n = image.voxelCount(); i < n; ++i) {
    if (!inside[i]) continue;
    auto [it, added] = compact.try_emplace(labels[i], uint16_t(std::min<std::size_t>(compact.size() + 1, 65535)));
    out[i] = it->second;
  }
  return ids;
}

}  // namespace protolabel::core
