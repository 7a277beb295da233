#include "Losses.h"

#include <cfloat>

namespace protolabel::inference::nn {

torch::Tensor clampedNll(const torch::Tensor& probabilities, const torch::Tensor& target,
                         const std::vector<double>& weights) {
  namespace F = torch::nn::functional;
  const torch::Tensor logp = torch::log(torch::clamp(probabilities, FLT_EPSILON, 1.0 - FLT_EPSILON));
  auto options = F::NLLLossFuncOptions().ignore_index(255);
  if (!weights.empty())
    options.weight(torch::tensor(weights, probabilities.options()));
  return F::nll_loss(logp, target, options);
}

torch::Tensor querySegmentationLoss(const torch::Tensor& probabilities, const torch::Tensor& target) {
  return clampedNll(probabilities, target, {0.1, 1.0});
}

torch::Tensor boundaryLoss(const torch::Tensor& probabilities, const torch::Tensor& target, int64_t theta0,
                           int64_t theta) {
  const int64_t classes = probabilities.size(1);
  const torch::Tensor oneHot =
      torch::one_hot(target, classes).permute({0, 3, 1, 2}).to(probabilities.dtype());
  auto boundary = [&](const torch::Tensor& m) {
    return torch::max_pool2d(1 - m, theta0, 1, (theta0 - 1) / 2) - (1 - m);
  };
  auto extended = [&](const torch::Tensor& b) { return torch::max_pool2d(b, theta, 1, (theta - 1) / 2); };
  const torch::Tensor bGt = boundary(oneHot), bPred = boundary(probabilities);
  const torch::Tensor bGtExt = extended(bGt), bPredExt = extended(bPred);
  const int64_t b = probabilities.size(0);
  const torch::Tensor precision =
      (bPred * bGtExt).view({b, classes, -1}).sum(2) / (bPred.view({b, classes, -1}).sum(2) + 1e-7);
  const torch::Tensor recall =
      (bPredExt * bGt).view({b, classes, -1}).sum(2) / (bGt.view({b, classes, -1}).sum(2) + 1e-7);
  const torch::Tensor bf1 = 2 * precision * recall / (precision + recall + 1e-7);
  return torch::mean(1 - bf1);
}

torch::Tensor prototypeConsistencyLoss(const torch::Tensor& fgSupport, const torch::Tensor& bgSupport,
                                       const torch::Tensor& fgQuery, const torch::Tensor& bgQuery) {
  namespace F = torch::nn::functional;
  auto mean = [](const torch::Tensor& set) {
    return F::normalize(set.mean(0, true), F::NormalizeFuncOptions().dim(1)).squeeze(0);
  };
  const torch::Tensor fs = mean(fgSupport), bs = mean(bgSupport), fq = mean(fgQuery), bq = mean(bgQuery);
  return (1 - torch::dot(fs, fq)) + (1 - torch::dot(bs, bq)) + torch::relu(torch::dot(fs, bs)) +
         torch::relu(torch::dot(fq, bq));
}

torch::Tensor selfPredictionLoss(const torch::Tensor& upsampledS, const torch::Tensor& target) {
  return clampedNll(torch::cat({1 - upsampledS, upsampledS}, 1), target);
}

}  // namespace protolabel::inference::nn
