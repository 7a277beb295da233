#pragma once
// The dilated ResNet encoder (torchvision Bottleneck semantics, replace_stride_with_dilation =
// [true, true, false]) with the reference's projections: reduce1 on layer3 gives the features the
// segmenter uses; reduce2 and the threshold head (fc, reduce1d) exist for parameter parity.
#include <torch/torch.h>

#include "Config.h"

namespace protolabel::inference::nn {

struct BottleneckImpl : torch::nn::Module {
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation, bool downsample);
  torch::Tensor forward(torch::Tensor x);

  // Declared (and so registered) in torchvision's order: the state_dict order follows it.
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::BatchNorm2d bn2{nullptr};
  torch::nn::Conv2d conv3{nullptr};
  torch::nn::BatchNorm2d bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct ResNetBackboneImpl : torch::nn::Module {
  explicit ResNetBackboneImpl(const CowConfig& config);
  // Returns {layer3 output, layer4 output (undefined without the threshold head)}.
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  std::vector<torch::nn::Sequential> layers;
  torch::nn::Linear fc{nullptr};
  int64_t layer3Channels = 0, layer4Channels = 0;
};
TORCH_MODULE(ResNetBackbone);

struct EncoderOutput {
  torch::Tensor features;   // B x C x S/4 x S/4 (reduce1 of layer3)
  torch::Tensor threshold;  // B x 1 (undefined without the threshold head)
};

struct EncoderImpl : torch::nn::Module {
  explicit EncoderImpl(const CowConfig& config);
  EncoderOutput forward(torch::Tensor x);

  ResNetBackbone backbone{nullptr};
  torch::nn::Conv2d reduce1{nullptr}, reduce2{nullptr};
  torch::nn::Linear reduce1d{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace protolabel::inference::nn
