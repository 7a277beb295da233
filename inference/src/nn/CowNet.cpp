#include "CowNet.h"

namespace protolabel::inference::nn {

CowNetImpl::CowNetImpl(const CowConfig& config) : config_(config) {
  const int64_t pixels = config.inputSize * config.inputSize;
  encoder = register_module("encoder", Encoder(config));
  if (config.singlePrototype()) return;  // the baseline has no learned head
  mlp1 = register_module("mlp1", PrototypeMlp(pixels, config.mlpFg, config.dropoutHead));
  mlp2 = register_module("mlp2", PrototypeMlp(pixels, config.mlpBg, config.dropoutHead));
  decoder1 = register_module("decoder1", SimilarityDecoder(config.mlpFg, config.dropoutHead));
  decoder2 = register_module("decoder2", SimilarityDecoder(config.mlpBg, config.dropoutHead));
  supp_decoder = register_module("supp_decoder",
                                 SupportDecoder(config.featureChannels, config.sspChannels, config.dropoutSsp));
}

torch::Tensor CowNetImpl::upsample(const torch::Tensor& x) const {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{config_.inputSize, config_.inputSize})
                               .mode(torch::kBilinear)
                               .align_corners(true));
}

SupportPrediction CowNetImpl::selfPredict(const torch::Tensor& features, const torch::Tensor& mask) {
  SupportPrediction p;
  p.features = upsample(features)[0];
  p.prototype = maskedAveragePrototype(p.features, mask);
  if (config_.singlePrototype()) {  // no self-prediction: the support mask stands for it
    p.mask = mask.to(torch::kBool);
    return p;
  }
  p.raw = supp_decoder->forward(features, p.prototype.unsqueeze(0));
  p.upsampled = upsample(p.raw);
  // argmax over [1 - S, S] with ties to background, i.e. S > 0.5.
  p.mask = (p.upsampled[0][0] > 0.5);
  return p;
}

namespace {
PrototypeSets averagePrototypes(const torch::Tensor& upsampled, const torch::Tensor& mask) {
  PrototypeSets sets;
  sets.fg = maskedAveragePrototype(upsampled, mask).unsqueeze(0);
  sets.bg = maskedAveragePrototype(upsampled, mask.logical_not()).unsqueeze(0);
  return sets;
}
}  // namespace

PrototypeSets CowNetImpl::prototypes(const torch::Tensor& features, const torch::Tensor& mask,
                                     const torch::Tensor& prediction, DrawSource& draws) {
  const torch::Tensor upsampled = upsample(features)[0];
  if (config_.singlePrototype()) return averagePrototypes(upsampled, mask);
  const PrototypeCounts counts{config_.hardFg, config_.hardBg, config_.keepFg, config_.keepBg};
  return buildPrototypeSets(upsampled, mask, prediction, mlp1, mlp2, counts, draws);
}

PrototypeSets CowNetImpl::prototypes(const SupportPrediction& self, const torch::Tensor& mask, DrawSource& draws) {
  if (config_.singlePrototype()) return averagePrototypes(self.features, mask);
  const PrototypeCounts counts{config_.hardFg, config_.hardBg, config_.keepFg, config_.keepBg};
  return buildPrototypeSets(self.features, mask, self.mask, mlp1, mlp2, counts, draws);
}

torch::Tensor CowNetImpl::cosineMaps(const torch::Tensor& features, const torch::Tensor& prototypes) {
  namespace F = torch::nn::functional;
  const auto opts = F::NormalizeFuncOptions().dim(1).eps(1e-12);
  const torch::Tensor f = F::normalize(features, opts);    // B x C x h x w
  const torch::Tensor p = F::normalize(prototypes, opts);  // K x C
  const int64_t b = f.size(0), c = f.size(1), h = f.size(2), w = f.size(3);
  return torch::matmul(p, f.reshape({b, c, h * w})).reshape({b, p.size(0), h, w});
}

Segmentation CowNetImpl::segment(const torch::Tensor& queryFeatures, const PrototypeSets& sets) {
  Segmentation s;
  if (config_.singlePrototype()) {  // PANet: cosine similarity scaled by 20 is the logit
    constexpr double kCosineScale = 20.0;
    s.fgLogits = kCosineScale * cosineMaps(queryFeatures, sets.fg);
    s.bgLogits = kCosineScale * cosineMaps(queryFeatures, sets.bg);
    s.probabilities = torch::softmax(torch::cat({upsample(s.bgLogits), upsample(s.fgLogits)}, 1), 1);
    return s;
  }
  s.fgLogits = decoder1->forward(cosineMaps(queryFeatures, sets.fg));
  s.bgLogits = decoder2->forward(cosineMaps(queryFeatures, sets.bg));
  s.probabilities = torch::softmax(torch::cat({upsample(s.bgLogits), upsample(s.fgLogits)}, 1), 1);
  return s;
}

namespace {
void collect(const torch::nn::Module& module, const std::string& prefix,
             std::vector<std::pair<std::string, torch::Tensor>>& out) {
  for (const auto& p : module.named_parameters(false)) out.emplace_back(prefix + p.key(), p.value());
  for (const auto& b : module.named_buffers(false)) out.emplace_back(prefix + b.key(), b.value());
  for (const auto& c : module.named_children()) collect(*c.value(), prefix + c.key() + ".", out);
}
}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> stateDictEntries(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  collect(module, "", out);
  return out;
}

}  // namespace protolabel::inference::nn
