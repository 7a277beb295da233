#include "Prototypes.h"

namespace protolabel::inference::nn {

torch::Tensor maskedAveragePrototype(const torch::Tensor& features, const torch::Tensor& mask) {
  const torch::Tensor m = mask.to(features.dtype());
  return (features * m.unsqueeze(0)).sum({1, 2}) / (m.sum() + 1e-5);
}

torch::Tensor dilate5(const torch::Tensor& mask) {
  const torch::Tensor m = mask.to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
  return torch::max_pool2d(m, 5, 1, 2).squeeze(0).squeeze(0) > 0.5;
}

torch::Tensor erode5(const torch::Tensor& mask) {
  const torch::Tensor m = mask.to(torch::kFloat32).unsqueeze(0).unsqueeze(0);
  return (-torch::max_pool2d(-m, 5, 1, 2)).squeeze(0).squeeze(0) > 0.5;
}

namespace {

// Flat indices of `count` pixels drawn inside `region` as randomPixelRows describes; undefined when the
// region is empty.
torch::Tensor randomPixelIndices(const torch::Tensor& region, int64_t count, DrawSource& draws) {
  // Region pixels in raster order.
  const torch::Tensor pixels = region.flatten().nonzero().squeeze(1);
  const int64_t n = pixels.numel();
  if (n == 0) return {};
  const torch::Device device = region.device();
  if (n >= count) return pixels.index_select(0, draws.draw(n, count).to(device));
  // Too few pixels: a random remainder first, then the whole list repeated.
  const torch::Tensor remainder = pixels.index_select(0, draws.draw(n, (count - n) % n).to(device));
  return torch::cat({remainder, pixels.repeat({count / n})}, 0);
}

}  // namespace

torch::Tensor randomPixelRows(const torch::Tensor& features, const torch::Tensor& region, int64_t count,
                              DrawSource& draws) {
  const int64_t channels = features.size(0);
  const torch::Tensor indices = randomPixelIndices(region, count, draws);
  if (!indices.defined()) return torch::zeros({count, channels}, features.options());
  return features.view({channels, -1}).index_select(1, indices).t();
}

torch::Tensor reconstructedMap(const torch::Tensor& features, const torch::Tensor& region, DrawSource& draws) {
  const int64_t channels = features.size(0);
  const torch::Tensor outside = region.logical_not().flatten().nonzero().squeeze(1);
  const torch::Tensor filler = randomPixelIndices(region, outside.numel(), draws);
  if (!filler.defined()) return torch::zeros({channels, region.numel()}, features.options());
  // One gather: every pixel reads itself, or its drawn region pixel when it lies outside.
  const torch::Tensor source = torch::arange(region.numel(), outside.options()).index_copy_(0, outside, filler);
  return features.view({channels, -1}).index_select(1, source);
}

namespace {

// One path (fg or bg): MLP prototypes, optionally half replaced by hard pixels, then the global and
// edge averages. Row order is fixed: [MLP rows (subset in draw order); hard rows; global; edge].
torch::Tensor pathPrototypes(const torch::Tensor& features, const torch::Tensor& region, const torch::Tensor& hard,
                             const torch::Tensor& edge, PrototypeMlp& mlp, int64_t hardCount, int64_t keep,
                             DrawSource& draws, torch::Tensor& mlpOut) {
  mlpOut = mlp->forward(reconstructedMap(features, region, draws));
  torch::Tensor rows = mlpOut;
  if (hard.any().item<bool>()) {
    const torch::Tensor hardRows = randomPixelRows(features, hard, hardCount, draws);
    const torch::Tensor subset = draws.draw(mlpOut.size(0), keep).to(features.device());
    rows = torch::cat({mlpOut.index_select(0, subset), hardRows}, 0);
  }
  return torch::cat({rows, maskedAveragePrototype(features, region).unsqueeze(0),
                     maskedAveragePrototype(features, edge).unsqueeze(0)},
                    0);
}

}  // namespace

PrototypeSets buildPrototypeSets(const torch::Tensor& features, const torch::Tensor& mask,
                                 const torch::Tensor& prediction, PrototypeMlp& mlpFg, PrototypeMlp& mlpBg,
                                 const PrototypeCounts& counts, DrawSource& draws) {
  PrototypeSets s;
  const torch::Tensor fg = mask.to(torch::kBool), pred = prediction.to(torch::kBool);
  s.hardFg = fg.logical_and(pred.logical_not());
  s.hardBg = fg.logical_not().logical_and(pred);
  s.edgeInner = fg.logical_and(erode5(fg).logical_not());
  s.edgeOuter = dilate5(fg).logical_and(fg.logical_not());
  s.fg = pathPrototypes(features, fg, s.hardFg, s.edgeInner, mlpFg, counts.hardFg, counts.keepFg, draws, s.mlpFg);
  s.bg = pathPrototypes(features, fg.logical_not(), s.hardBg, s.edgeOuter, mlpBg, counts.hardBg, counts.keepBg, draws,
                        s.mlpBg);
  return s;
}

}  // namespace protolabel::inference::nn
