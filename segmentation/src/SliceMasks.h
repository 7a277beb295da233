#pragma once
// Small 2D mask operations on slice planes (u fastest, `width` pixels per row), for extent control.
#include <cstdint>
#include <vector>

namespace protolabel::segmentation {

// Square dilation by `radius` pixels (separable max).
std::vector<uint8_t> dilate(const std::vector<uint8_t>& mask, int64_t width, int64_t height, int64_t radius);

// The 8-connected pieces of `mask` that touch `anchor` (same size); the others are cleared.
std::vector<uint8_t> piecesTouching(const std::vector<uint8_t>& mask, const std::vector<uint8_t>& anchor, int64_t width,
                                    int64_t height);

int64_t countSet(const std::vector<uint8_t>& mask);

}  // namespace protolabel::segmentation
