#pragma once
// CoW (Concentrate on Weakness): encoder, support self-prediction, hard prototype generation and
// dual-path similarity fusion, composed as in the reference's FewShotSeg. The steps are separate
// methods so the engine can cache support-side work and the parity check can feed each module.
#include <torch/torch.h>

#include "Config.h"
#include "Draws.h"
#include "Heads.h"
#include "Prototypes.h"
#include "ResNetEncoder.h"

namespace protolabel::inference::nn {

struct SupportPrediction {
  torch::Tensor prototype;  // C: MAP of the upsampled features over the mask
  torch::Tensor raw;        // 1 x 1 x h x w: Supp_Decoder output S (no sigmoid)
  torch::Tensor upsampled;  // 1 x 1 x H x W
  torch::Tensor mask;       // H x W bool: S upsampled > 0.5
  torch::Tensor features;   // C x H x W: F upsampled to the mask size (computed once, reused by prototypes)
};

struct Segmentation {
  torch::Tensor fgLogits, bgLogits;  // 1 x 1 x h x w decoder outputs
  torch::Tensor probabilities;       // 1 x 2 x H x W, channel 0 background
};

struct CowNetImpl : torch::nn::Module {
  explicit CowNetImpl(const CowConfig& config);

  const CowConfig& config() const { return config_; }

  // Bilinear resize (align_corners = true) to the input size, as every resize in the reference.
  torch::Tensor upsample(const torch::Tensor& x) const;

  // Support self-prediction from features F (1 x C x h x w) and mask (H x W).
  SupportPrediction selfPredict(const torch::Tensor& features, const torch::Tensor& mask);
  // Prototype sets from features (1 x C x h x w), a mask and a self-prediction (H x W).
  PrototypeSets prototypes(const torch::Tensor& features, const torch::Tensor& mask, const torch::Tensor& prediction,
                           DrawSource& draws);
  // The same from a self-prediction of `mask`: its upsampled features and its mask.
  PrototypeSets prototypes(const SupportPrediction& self, const torch::Tensor& mask, DrawSource& draws);
  // Query features (B x C x h x w) against prototype sets -> fused probabilities.
  Segmentation segment(const torch::Tensor& queryFeatures, const PrototypeSets& sets);
  // Cosine similarity of every feature pixel with every prototype: B x K x h x w.
  static torch::Tensor cosineMaps(const torch::Tensor& features, const torch::Tensor& prototypes);

  Encoder encoder{nullptr};
  PrototypeMlp mlp1{nullptr}, mlp2{nullptr};
  SimilarityDecoder decoder1{nullptr}, decoder2{nullptr};
  SupportDecoder supp_decoder{nullptr};

 private:
  CowConfig config_;
};
TORCH_MODULE(CowNet);

// The reference's state_dict order (parameters, then buffers, then children, recursively).
std::vector<std::pair<std::string, torch::Tensor>> stateDictEntries(const torch::nn::Module& module);

}  // namespace protolabel::inference::nn
