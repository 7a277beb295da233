#include "WeightFill.h"

#include <cmath>

namespace protolabel::inference::parity {

torch::Tensor parityWeight(int64_t k, WeightKind kind, const std::vector<int64_t>& shape, double fanIn, double phi) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  const torch::Tensor i = torch::arange(n, torch::kFloat64);
  torch::Tensor theta = i * 0.37 + (0.61 * double(k) + phi);
  theta = theta + (i * i) * 1.0e-3;
  const torch::Tensor s = torch::sin(theta);
  torch::Tensor v;
  switch (kind) {
    case WeightKind::ConvWeight:
    case WeightKind::LinearWeight: v = s * std::sqrt(2.0 / fanIn); break;
    case WeightKind::Bias: v = s * 0.01; break;
    case WeightKind::BnWeight: v = s * 0.1 + 1.0; break;
    case WeightKind::BnBias:
    case WeightKind::BnRunningMean: v = s * 0.05; break;
    case WeightKind::BnRunningVar: v = torch::abs(s) * 0.2 + 1.0; break;
    case WeightKind::Untouched: return {};
  }
  return v.to(torch::kFloat32).view(shape);
}

int64_t bitSum(const torch::Tensor& values) {
  return values.contiguous().view(torch::kInt32).to(torch::kInt64).sum().item<int64_t>();
}

}  // namespace protolabel::inference::parity
