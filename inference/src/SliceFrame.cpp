#include "SliceFrame.h"

#include <algorithm>
#include <cmath>

namespace protolabel::inference {

namespace {
torch::Tensor resize(const torch::Tensor& image, int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  // Pixel centres map onto pixel centres (align_corners = false) in both directions.
  return F::interpolate(image.unsqueeze(0).unsqueeze(0), F::InterpolateFuncOptions()
                                                             .size(std::vector<int64_t>{height, width})
                                                             .mode(torch::kBilinear)
                                                             .align_corners(false))
      .squeeze(0)
      .squeeze(0);
}
}  // namespace

SliceFrame SliceFrame::fit(int64_t width, int64_t height, double spacingU, double spacingV, int64_t input) {
  SliceFrame f;
  f.width = width;
  f.height = height;
  f.input = input;
  const double extentU = width * spacingU, extentV = height * spacingV;
  const double scale = input / std::max(extentU, extentV);
  f.fitWidth = std::clamp<int64_t>(std::llround(extentU * scale), 1, input);
  f.fitHeight = std::clamp<int64_t>(std::llround(extentV * scale), 1, input);
  f.left = (input - f.fitWidth) / 2;
  f.top = (input - f.fitHeight) / 2;
  return f;
}

torch::Tensor SliceFrame::toModel(const torch::Tensor& image, double padValue) const {
  torch::Tensor out = torch::full({input, input}, padValue, image.options());
  out.slice(0, top, top + fitHeight).slice(1, left, left + fitWidth).copy_(resize(image, fitHeight, fitWidth));
  return out;
}

torch::Tensor SliceFrame::maskToModel(const torch::Tensor& mask) const {
  return toModel(mask.to(torch::kFloat32).ne(0).to(torch::kFloat32), 0.0) > 0.5;
}

torch::Tensor SliceFrame::fromModel(const torch::Tensor& map) const {
  return resize(map.slice(0, top, top + fitHeight).slice(1, left, left + fitWidth), height, width);
}

}  // namespace protolabel::inference
