#pragma once
// Hard Prototypes Generation: MLP prototypes over a "reconstructed" feature map, raw features of the
// pixels the self-prediction got wrong, and global and edge masked averages (§1.5-1.6 of the method).
#include <torch/torch.h>

#include "Draws.h"
#include "Heads.h"

namespace protolabel::inference::nn {

struct PrototypeSets {
  torch::Tensor fg;  // (mlpFg + 2) x C
  torch::Tensor bg;  // (mlpBg + 2) x C
  // Intermediate results, kept for parity checks and diagnostics.
  torch::Tensor mlpFg, mlpBg;  // MLP outputs before subset selection
  torch::Tensor hardFg, hardBg, edgeInner, edgeOuter;  // H x W bool
};

// MAP(F, m) = sum F*m / (sum m + 1e-5); F is C x H x W, m is H x W (any dtype). Returns C.
torch::Tensor maskedAveragePrototype(const torch::Tensor& features, const torch::Tensor& mask);

// 5x5 square morphology (cv2's 3x3 kernel with 2 iterations), on an H x W bool mask.
torch::Tensor erode5(const torch::Tensor& mask);
torch::Tensor dilate5(const torch::Tensor& mask);

// `count` feature rows of pixels inside `region` (H x W bool), drawn as the reference does: without
// replacement, tiling the region when it is too small, zeros when it is empty.
torch::Tensor randomPixelRows(const torch::Tensor& features, const torch::Tensor& region, int64_t count,
                              DrawSource& draws);

// F with every pixel outside `region` replaced by the feature of a randomly drawn region pixel,
// flattened to C x (H*W): the MLP's input.
torch::Tensor reconstructedMap(const torch::Tensor& features, const torch::Tensor& region, DrawSource& draws);

struct PrototypeCounts {
  int64_t hardFg, hardBg, keepFg, keepBg;
};

// `features` is F upsampled to the mask size (C x H x W), `mask` the (pseudo-)label and `prediction`
// the self-prediction (both H x W bool).
PrototypeSets buildPrototypeSets(const torch::Tensor& features, const torch::Tensor& mask,
                                 const torch::Tensor& prediction, PrototypeMlp& mlpFg, PrototypeMlp& mlpBg,
                                 const PrototypeCounts& counts, DrawSource& draws);

}  // namespace protolabel::inference::nn
