#include "protolabel/core/editing/RegionGrow.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

struct Moments {
  double sum = 0, sumSquares = 0;
  int64_t count = 0;
  void add(double x) { sum += x, sumSquares += x * x, ++count; }
  double mean() const { return sum / double(count); }
  double stddev() const { return std::sqrt(std::max(0.0, sumSquares / double(count) - mean() * mean())); }
};

// 6-connected flood from `seeds` through voxels where `allowed` holds, at most `limit` voxels.
void flood(const std::vector<uint8_t>& allowed, const Size3& size, const std::vector<int64_t>& seeds, int64_t limit,
           RegionGrowResult& result) {
  result.mask.assign(allowed.size(), 0);
  result.voxels = 0;
  result.stoppedAtLimit = false;
  std::deque<int64_t> queue;
  for (int64_t s : seeds)
    if (allowed[std::size_t(s)] && !result.mask[std::size_t(s)]) result.mask[std::size_t(s)] = 1, ++result.voxels, queue.push_back(s);
  const int64_t sx = size[0], sxy = size[0] * size[1];
  while (!queue.empty()) {
    const int64_t index = queue.front();
    queue.pop_front();
    const int64_t i = index % sx, j = (index / sx) % size[1], k = index / sxy;
    const std::pair<bool, int64_t> neighbours[6] = {{i > 0, index - 1},   {i + 1 < size[0], index + 1},
                                                    {j > 0, index - sx},  {j + 1 < size[1], index + sx},
                                                    {k > 0, index - sxy}, {k + 1 < size[2], index + sxy}};
    for (const auto& [valid, n] : neighbours) {
      if (!valid || result.mask[std::size_t(n)] || !allowed[std::size_t(n)]) continue;
      result.mask[std::size_t(n)] = 1;
      if (++result.voxels >= limit) {
        result.stoppedAtLimit = true;
        return;
      }
      queue.push_back(n);
    }
  }
}

// Voxels of `mask` whose six neighbours are all in it (an erosion by one voxel; the border erodes).
std::vector<uint8_t> eroded(const std::vector<uint8_t>& mask, const Size3& size) {
  std::vector<uint8_t> out(mask.size(), 0);
  const int64_t sx = size[0], sxy = size[0] * size[1];
  for (int64_t k = 1; k + 1 < size[2]; ++k)
    for (int64_t j = 1; j + 1 < size[1]; ++j)
      for (int64_t i = 1; i + 1 < size[0]; ++i) {
        const int64_t n = i + sx * j + sxy * k;
        out[std::size_t(n)] = mask[std::size_t(n)] && mask[std::size_t(n - 1)] && mask[std::size_t(n + 1)] &&
                              mask[std::size_t(n - sx)] && mask[std::size_t(n + sx)] && mask[std::size_t(n - sxy)] &&
                              mask[std::size_t(n + sxy)];
      }
  return out;
}

// The region of voxels in [low, high] connected to the seeds. With `breakBridges` the flood runs on
// the range eroded by one voxel, so a one- or two-voxel bridge to a neighbouring organ of the same
// intensity does not carry it over, and the region is then dilated back by one voxel within the range.
template <class T>
void grow(const T* voxels, const Size3& size, const std::vector<int64_t>& seeds, double low, double high,
          bool breakBridges, int64_t limit, RegionGrowResult& result) {
  const std::size_t n = std::size_t(size[0] * size[1] * size[2]);
  std::vector<uint8_t> inRange(n);
  for (std::size_t i = 0; i < n; ++i) inRange[i] = double(voxels[i]) >= low && double(voxels[i]) <= high;
  if (!breakBridges) return flood(inRange, size, seeds, limit, result);
  const std::vector<uint8_t> core = eroded(inRange, size);
  // Seeds on the structure's rim are not in the eroded range: start from core voxels next to them.
  std::vector<int64_t> coreSeeds;
  const int64_t sx = size[0], sxy = size[0] * size[1];
  for (int64_t s : seeds)
    for (int64_t d : {int64_t(0), int64_t(-1), int64_t(1), -sx, sx, -sxy, sxy})
      if (s + d >= 0 && s + d < int64_t(n) && core[std::size_t(s + d)]) coreSeeds.push_back(s + d);
  if (coreSeeds.empty()) return flood(inRange, size, seeds, limit, result);
  flood(core, size, coreSeeds, limit, result);
  if (result.stoppedAtLimit) return;
  std::vector<uint8_t> grown = result.mask;
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i) {
        const int64_t v = i + sx * j + sxy * k;
        if (result.mask[std::size_t(v)] || !inRange[std::size_t(v)]) continue;
        const bool touches = (i > 0 && result.mask[std::size_t(v - 1)]) || (i + 1 < size[0] && result.mask[std::size_t(v + 1)]) ||
                             (j > 0 && result.mask[std::size_t(v - sx)]) || (j + 1 < size[1] && result.mask[std::size_t(v + sx)]) ||
                             (k > 0 && result.mask[std::size_t(v - sxy)]) || (k + 1 < size[2] && result.mask[std::size_t(v + sxy)]);
        if (touches) grown[std::size_t(v)] = 1, ++result.voxels;
      }
  for (int64_t s : seeds)  // the seeds themselves always belong
    if (inRange[std::size_t(s)] && !grown[std::size_t(s)]) grown[std::size_t(s)] = 1, ++result.voxels;
  result.mask = std::move(grown);
}

// Confidence connected: the seeds estimate the structure's intensities; a click (few seeds) with its
// 3x3x3 neighbourhood. A brushed region is estimate enough: the neighbourhood of its rim would add the
// tissue around it (a brushed stroke in the sample's liver: Dice 0.43 with it, 0.76 without).
template <class T>
Moments seedMoments(const Volume& image, const T* voxels, const std::vector<int64_t>& seeds) {
  Moments m;
  if (seeds.size() >= 27) {
    for (int64_t s : seeds) m.add(double(voxels[s]));
    return m;
  }
  const Size3& size = image.size();
  std::vector<uint8_t> counted(std::size_t(image.voxelCount()), 0);
  for (int64_t s : seeds) {
    const int64_t i = s % size[0], j = (s / size[0]) % size[1], k = s / (size[0] * size[1]);
    for (int64_t dk = -1; dk <= 1; ++dk)
      for (int64_t dj = -1; dj <= 1; ++dj)
        for (int64_t di = -1; di <= 1; ++di) {
          if (!image.contains(i + di, j + dj, k + dk)) continue;
          const int64_t index = image.linearIndex(i + di, j + dj, k + dk);
          if (counted[std::size_t(index)]) continue;
          counted[std::size_t(index)] = 1;
          m.add(double(voxels[index]));
        }
  }
  return m;
}

}  // namespace

RegionGrowResult growRegion(const Volume& image, const std::vector<int64_t>& seeds, const RegionGrowOptions& options) {
  const Size3& size = image.size();
  const int64_t n = image.voxelCount();
  std::vector<int64_t> valid;
  for (int64_t s : seeds)
    if (s >= 0 && s < n) valid.push_back(s);
  if (valid.empty()) throw Error(ErrorCode::InvalidArgument, "region growing needs a seed inside the image");
  const int64_t limit = options.maxVoxels > 0 ? options.maxVoxels : std::max<int64_t>(1, n / 4);

  RegionGrowResult result;
  dispatchPixelType(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* voxels = image.data<T>();
    if (options.range) {
      result.low = options.range->first, result.high = options.range->second;
      grow(voxels, size, valid, result.low, result.high, options.breakBridges, limit, result);
      return;
    }
    Moments m = seedMoments(image, voxels, valid);
    for (int pass = 0; pass <= options.iterations; ++pass) {
      // A perfectly flat seed region would give an empty range: allow at least one intensity unit.
      const double halfWidth = std::max(options.multiplier * m.stddev(), 1.0);
      result.low = m.mean() - halfWidth, result.high = m.mean() + halfWidth;
      grow(voxels, size, valid, result.low, result.high, options.breakBridges, limit, result);
      if (pass == options.iterations || result.voxels == 0 || result.stoppedAtLimit) break;
      m = Moments{};
      for (int64_t index = 0; index < n; ++index)
        if (result.mask[std::size_t(index)]) m.add(double(voxels[index]));
    }
  });
  return result;
}

}  // namespace protolabel::core
