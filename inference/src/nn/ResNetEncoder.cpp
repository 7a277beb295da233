#include "ResNetEncoder.h"

namespace protolabel::inference::nn {

namespace {
constexpr int64_t kExpansion = 4;

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t dilation = 1,
                       bool bias = false) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(kernel == 1 ? 0 : dilation * (kernel / 2))
                               .dilation(dilation)
                               .bias(bias));
}
}  // namespace

BottleneckImpl::BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation, bool withDownsample)
    : conv1(register_module("conv1", conv(inplanes, planes, 1))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(planes))),
      conv2(register_module("conv2", conv(planes, planes, 3, stride, dilation))),
      bn2(register_module("bn2", torch::nn::BatchNorm2d(planes))),
      conv3(register_module("conv3", conv(planes, planes * kExpansion, 1))),
      bn3(register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion))) {
  if (withDownsample)
    downsample = register_module("downsample", torch::nn::Sequential(conv(inplanes, planes * kExpansion, 1, stride),
                                                                      torch::nn::BatchNorm2d(planes * kExpansion)));
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor out = torch::relu(bn1(conv1(x)));
  out = torch::relu(bn2(conv2(out)));
  out = bn3(conv3(out));
  return torch::relu(out + (downsample ? downsample->forward(x) : x));
}

ResNetBackboneImpl::ResNetBackboneImpl(const CowConfig& config) {
  const int64_t w = config.baseWidth;
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, w, 7).stride(2).padding(3).bias(false)));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(w));
  // torchvision's _make_layer with replace_stride_with_dilation = [true, true, false]: layer2 and
  // layer3 trade their stride for dilation; a block's first conv uses the previous dilation.
  int64_t inplanes = w, dilation = 1;
  const bool dilate[4] = {false, true, true, false};
  const int64_t strides[4] = {1, 2, 2, 2};
  for (std::size_t i = 0; i < config.blocks.size(); ++i) {
    const int64_t planes = w << i;
    int64_t stride = strides[i];
    const int64_t previousDilation = dilation;
    if (dilate[i]) {
      dilation *= stride;
      stride = 1;
    }
    torch::nn::Sequential layer;
    layer->push_back(Bottleneck(inplanes, planes, stride, previousDilation,
                                stride != 1 || inplanes != planes * kExpansion));
    inplanes = planes * kExpansion;
    for (int64_t b = 1; b < config.blocks[i]; ++b) layer->push_back(Bottleneck(inplanes, planes, 1, dilation, false));
    layers.push_back(register_module("layer" + std::to_string(i + 1), layer));
    if (i == 2) layer3Channels = inplanes;
    if (i == 3) layer4Channels = inplanes;
  }
  if (config.thresholdHead) fc = register_module("fc", torch::nn::Linear(layer4Channels, 1000));
}

std::pair<torch::Tensor, torch::Tensor> ResNetBackboneImpl::forward(torch::Tensor x) {
  x = torch::relu(bn1(conv1(x)));
  x = torch::max_pool2d(x, 3, 2, 1);
  for (std::size_t i = 0; i < 3; ++i) x = layers[i]->forward(x);
  torch::Tensor layer4;
  if (layers.size() > 3) layer4 = layers[3]->forward(x);
  return {x, layer4};
}

EncoderImpl::EncoderImpl(const CowConfig& config)
    : backbone(register_module("backbone", ResNetBackbone(config))),
      reduce1(register_module("reduce1", conv(backbone->layer3Channels, config.featureChannels, 1))) {
  if (config.thresholdHead) {
    reduce2 = register_module("reduce2", conv(backbone->layer4Channels, config.featureChannels, 1));
    reduce1d = register_module("reduce1d", torch::nn::Linear(1000, 1));
  }
}

EncoderOutput EncoderImpl::forward(torch::Tensor x) {
  auto [layer3, layer4] = backbone->forward(x);
  EncoderOutput out;
  out.features = reduce1(layer3);
  if (reduce1d && layer4.defined()) {
    // The threshold head: only the empty-support fallback reads it. reduce2 is unused downstream.
    const torch::Tensor pooled = torch::adaptive_avg_pool2d(layer4, {1, 1}).flatten(1);
    out.threshold = reduce1d(backbone->fc(pooled));
  }
  return out;
}

}  // namespace protolabel::inference::nn
