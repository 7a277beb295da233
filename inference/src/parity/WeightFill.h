#pragma once
// The parity vectors' closed-form weights: theta_i = 0.37 i + 0.61 k + phi + 0.001 i^2, s = sin(theta),
// then a per-kind scale (cow-parity/README.md §1).
#include <torch/torch.h>

namespace protolabel::inference::parity {

enum class WeightKind { ConvWeight = 0, LinearWeight, Bias, BnWeight, BnBias, BnRunningMean, BnRunningVar, Untouched };

torch::Tensor parityWeight(int64_t k, WeightKind kind, const std::vector<int64_t>& shape, double fanIn, double phi);

// Sum of the int32 bit patterns of a float32 tensor: an order-independent exact fingerprint.
int64_t bitSum(const torch::Tensor& values);

}  // namespace protolabel::inference::parity
