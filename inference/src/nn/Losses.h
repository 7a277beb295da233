#pragma once
// CoW's training losses (method §1.9). Probabilities are clamped to [FLT_EPSILON, 1 - FLT_EPSILON]
// before every log, as the reference does.
#include <torch/torch.h>

namespace protolabel::inference::nn {

// NLL of log(clamp(p)) against `target` (B x H x W int64); `weights` empty for the unweighted mean.
torch::Tensor clampedNll(const torch::Tensor& probabilities, const torch::Tensor& target,
                         const std::vector<double>& weights = {});
// Query loss: class weights [bg 0.1, fg 1.0].
torch::Tensor querySegmentationLoss(const torch::Tensor& probabilities, const torch::Tensor& target);
// BF1 boundary loss (Bokhovkin & Burnaev 2019), theta0 = 3, theta = 5, on probabilities.
torch::Tensor boundaryLoss(const torch::Tensor& probabilities, const torch::Tensor& target, int64_t theta0 = 3,
                           int64_t theta = 5);
// Prototype consistency between the support's and the query's prototype sets.
torch::Tensor prototypeConsistencyLoss(const torch::Tensor& fgSupport, const torch::Tensor& bgSupport,
                                       const torch::Tensor& fgQuery, const torch::Tensor& bgQuery);
// Self-prediction loss: NLL of [1 - S, S] (S raw, upsampled) against the support mask.
torch::Tensor selfPredictionLoss(const torch::Tensor& upsampledS, const torch::Tensor& target);

}  // namespace protolabel::inference::nn
