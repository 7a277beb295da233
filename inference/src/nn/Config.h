#pragma once
// Sizes of a CoW network. `paper` reproduces the reference (dilated ResNet-101, 256x256 input);
// `lite` keeps the same code path with a small encoder and fewer prototypes for laptop CPUs.
#include <cstdint>
#include <string>
#include <vector>

namespace protolabel::inference::nn {

struct CowConfig {
  std::string preset = "paper";
  // "cow", or "single-prototype": the PANet/SSL-ALPNet baseline on the same encoder (one masked-average
  // prototype per class, cosine x20), kept in the same harness so CoW's gain is measured.
  std::string method = "cow";
  int64_t inputSize = 256;                  // square slices fed to the network
  std::vector<int64_t> blocks{3, 4, 23, 3};  // Bottlenecks per ResNet layer (layer4 optional)
  int64_t baseWidth = 64;                   // ResNet stem width (64 in ResNet-101)
  bool thresholdHead = true;                // layer4 + fc + reduce1d (only the empty-mask fallback uses it)
  int64_t featureChannels = 512;            // reduce1 output
  int64_t sspChannels = 512;                // Supp_Decoder width
  int64_t mlpFg = 100, mlpBg = 600;         // MLP prototypes
  int64_t hardFg = 50, hardBg = 100;        // raw hard prototypes
  int64_t keepFg = 50, keepBg = 500;        // MLP prototypes kept when hard regions exist
  double dropoutSsp = 0.5, dropoutHead = 0.2;
  // Start the 1-channel output convolutions (decoders' down.3, SSP's layer9) near zero instead of
  // Kaiming fan_out (std sqrt(2) for one output channel), which saturates the softmax and the clamped
  // losses from the first step when the encoder is not pretrained.
  bool quietOutputInit = false;

  bool singlePrototype() const { return method == "single-prototype"; }
  int64_t featureSize() const { return inputSize / 4; }  // layer3 runs at stride 4
  int64_t fgPrototypes() const { return mlpFg + 2; }
  int64_t bgPrototypes() const { return mlpBg + 2; }

  static CowConfig paper();
  static CowConfig lite();
  static CowConfig byName(const std::string& name);  // throws std::invalid_argument
  // A preset with a method ("cow" or "single-prototype"); throws std::invalid_argument.
  static CowConfig byName(const std::string& name, const std::string& method);
};

}  // namespace protolabel::inference::nn
