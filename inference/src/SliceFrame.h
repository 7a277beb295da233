#pragma once
// Fitting a slice into the square model input without stretching: scale by physical size so the
// longer side fills the input, centre it, pad the rest; and the exact inverse for the results.
#include <torch/torch.h>

namespace protolabel::inference {

struct SliceFrame {
  int64_t width = 0, height = 0;    // slice, pixels
  int64_t fitWidth = 0, fitHeight = 0;  // its footprint inside the model input
  int64_t left = 0, top = 0;
  int64_t input = 0;

  // `spacingU`, `spacingV`: pixel size along the slice's width and height.
  static SliceFrame fit(int64_t width, int64_t height, double spacingU, double spacingV, int64_t input);

  // H x W image -> input x input, padded with `padValue`.
  torch::Tensor toModel(const torch::Tensor& image, double padValue) const;
  // H x W mask (any dtype, non-zero = inside) -> input x input bool.
  torch::Tensor maskToModel(const torch::Tensor& mask) const;
  // input x input map -> H x W on the slice's own pixel grid.
  torch::Tensor fromModel(const torch::Tensor& map) const;
};

}  // namespace protolabel::inference
