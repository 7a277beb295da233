#pragma once
// The reference's three heads: the support self-prediction decoder (SSP), the prototype MLP, and the
// similarity-map decoder of each fusion path. Module and parameter names follow the reference's
// state_dict, so its weights load by name.
#include <torch/torch.h>

namespace protolabel::inference::nn {

// Supp_Decoder: conv over [F, p, p], three residual blocks, an ASPP-like head, and a 1x1 conv to a
// single unbounded map S (no sigmoid; the fixed 0.5 threshold applies to it directly).
struct SupportDecoderImpl : torch::nn::Module {
  SupportDecoderImpl(int64_t featureChannels, int64_t width, double dropout);
  torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& prototype);

  torch::nn::Sequential layer5{nullptr}, layer6_0{nullptr}, layer6_1{nullptr}, layer6_2{nullptr}, layer6_3{nullptr},
      layer6_4{nullptr}, layer7{nullptr};
  torch::nn::Sequential residule1{nullptr};  // defined in the reference, never used; kept for weight parity
  torch::nn::Sequential supp_residule1{nullptr}, residule2{nullptr}, residule3{nullptr};
  torch::nn::Conv2d layer9{nullptr};
};
TORCH_MODULE(SupportDecoder);

// MLP: Linear(H*W -> K) -> Dropout -> Linear(K -> K), no nonlinearity. Maps a C x (H*W) map to K x C.
struct PrototypeMlpImpl : torch::nn::Module {
  PrototypeMlpImpl(int64_t pixels, int64_t prototypes, double dropout);
  torch::Tensor forward(const torch::Tensor& map);  // C x (H*W) -> K x C

  torch::nn::Sequential reduce{nullptr};
};
TORCH_MODULE(PrototypeMlp);

// Decoder(N): N+2 cosine maps -> 1x1 conv -> residual pair of 3x3 convs -> 3x3 conv -> 1x1 conv.
struct SimilarityDecoderImpl : torch::nn::Module {
  SimilarityDecoderImpl(int64_t prototypes, double dropout);
  torch::Tensor forward(const torch::Tensor& maps);

  torch::nn::Sequential res1{nullptr}, res2{nullptr}, down{nullptr};
};
TORCH_MODULE(SimilarityDecoder);

}  // namespace protolabel::inference::nn
