#include "Heads.h"

namespace protolabel::inference::nn {

namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t dilation, bool bias) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).padding(kernel == 1 ? 0 : dilation).dilation(dilation).bias(bias));
}

torch::nn::Sequential convReluDrop(int64_t in, int64_t out, int64_t kernel, int64_t dilation, double dropout) {
  return torch::nn::Sequential(conv(in, out, kernel, dilation, true), torch::nn::ReLU(),
                               torch::nn::Dropout2d(dropout));
}

// ReLU -> conv3x3 -> ReLU -> conv3x3, added to its input by the caller.
torch::nn::Sequential residualBranch(int64_t in, int64_t width) {
  return torch::nn::Sequential(torch::nn::ReLU(), conv(in, width, 3, 1, true), torch::nn::ReLU(),
                               conv(width, width, 3, 1, true));
}

}  // namespace

SupportDecoderImpl::SupportDecoderImpl(int64_t featureChannels, int64_t width, double dropout) {
  layer5 = register_module("layer5", convReluDrop(3 * featureChannels, width, 3, 2, dropout));
  layer6_0 = register_module("layer6_0", convReluDrop(width, width, 1, 1, dropout));
  layer6_1 = register_module("layer6_1", convReluDrop(width, width, 1, 1, dropout));
  layer6_2 = register_module("layer6_2", convReluDrop(width, width, 3, 6, dropout));
  layer6_3 = register_module("layer6_3", convReluDrop(width, width, 3, 12, dropout));
  layer6_4 = register_module("layer6_4", convReluDrop(width, width, 3, 18, dropout));
  layer7 = register_module("layer7", convReluDrop(5 * width, width, 1, 1, dropout));
  residule1 = register_module("residule1", residualBranch(width + 2, width));
  supp_residule1 = register_module("supp_residule1", residualBranch(width, width));
  residule2 = register_module("residule2", residualBranch(width, width));
  residule3 = register_module("residule3", residualBranch(width, width));
  layer9 = register_module("layer9", conv(width, 1, 1, 1, true));
}

torch::Tensor SupportDecoderImpl::forward(const torch::Tensor& features, const torch::Tensor& prototype) {
  const auto size = features.sizes();
  const torch::Tensor p = prototype.view({size[0], size[1], 1, 1}).expand_as(features);
  torch::Tensor x = layer5->forward(torch::cat({features, p, p}, 1));
  x = x + supp_residule1->forward(x);
  x = x + residule2->forward(x);
  x = x + residule3->forward(x);
  const torch::Tensor global = layer6_0->forward(torch::adaptive_avg_pool2d(x, {1, 1})).expand_as(x);
  x = torch::cat({global, layer6_1->forward(x), layer6_2->forward(x), layer6_3->forward(x), layer6_4->forward(x)}, 1);
  return layer9(layer7->forward(x));
}

PrototypeMlpImpl::PrototypeMlpImpl(int64_t pixels, int64_t prototypes, double dropout) {
  reduce = register_module("reduce", torch::nn::Sequential(torch::nn::Linear(pixels, prototypes),
                                                           torch::nn::Dropout(dropout),
                                                           torch::nn::Linear(prototypes, prototypes)));
}

torch::Tensor PrototypeMlpImpl::forward(const torch::Tensor& map) { return reduce->forward(map).t(); }

SimilarityDecoderImpl::SimilarityDecoderImpl(int64_t prototypes, double dropout) {
  const int64_t n = prototypes;
  res1 = register_module("res1", torch::nn::Sequential(conv(n + 2, n, 1, 1, false), torch::nn::ReLU()));
  res2 = register_module("res2", torch::nn::Sequential(conv(n, n, 3, 1, false), torch::nn::ReLU(),
                                                       conv(n, n, 3, 1, false), torch::nn::ReLU()));
  down = register_module("down", torch::nn::Sequential(conv(n, n, 3, 1, false), torch::nn::ReLU(),
                                                       torch::nn::Dropout2d(dropout), conv(n, 1, 1, 1, false)));
}

torch::Tensor SimilarityDecoderImpl::forward(const torch::Tensor& maps) {
  torch::Tensor x = res1->forward(maps);
  x = x + res2->forward(x);
  return down->forward(x);
}

}  // namespace protolabel::inference::nn
