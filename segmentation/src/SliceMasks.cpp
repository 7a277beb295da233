#include "SliceMasks.h"

#include <algorithm>
#include <deque>

namespace protolabel::segmentation {

std::vector<uint8_t> dilate(const std::vector<uint8_t>& mask, int64_t width, int64_t height, int64_t radius) {
  std::vector<uint8_t> rows(mask.size(), 0), out(mask.size(), 0);
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      if (mask[std::size_t(y * width + x)])
        for (int64_t u = std::max<int64_t>(0, x - radius); u <= std::min(width - 1, x + radius); ++u)
          rows[std::size_t(y * width + u)] = 1;
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      if (rows[std::size_t(y * width + x)])
        for (int64_t v = std::max<int64_t>(0, y - radius); v <= std::min(height - 1, y + radius); ++v)
          out[std::size_t(v * width + x)] = 1;
  return out;
}

std::vector<uint8_t> piecesTouching(const std::vector<uint8_t>& mask, const std::vector<uint8_t>& anchor, int64_t width,
                                    int64_t height) {
  std::vector<uint8_t> out(mask.size(), 0);
  std::deque<int64_t> queue;
  // Flood from every anchored mask pixel; what it reaches is kept.
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i] && anchor[i] && !out[i]) {
      out[i] = 1;
      queue.push_back(int64_t(i));
      while (!queue.empty()) {
        const int64_t p = queue.front();
        queue.pop_front();
        const int64_t x = p % width, y = p / width;
        for (int64_t dy = -1; dy <= 1; ++dy)
          for (int64_t dx = -1; dx <= 1; ++dx) {
            const int64_t nx = x + dx, ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
            const std::size_t q = std::size_t(ny * width + nx);
            if (mask[q] && !out[q]) {
              out[q] = 1;
              queue.push_back(int64_t(q));
            }
          }
      }
    }
  return out;
}

int64_t countSet(const std::vector<uint8_t>& mask) {
  return std::count_if(mask.begin(), mask.end(), [](uint8_t v) { return v != 0; });
}

}  // namespace protolabel::segmentation
