#pragma once
// The reference's augmentation (method §2), each transform applied to the query with probability 0.5
// and otherwise to the support: gamma (U(0.5, 1.5)); affine (rotation ±5°, shift ±5 px, shear ±5°,
// scale U(0.9, 1.2), bilinear, zero border) followed by elastic deformation (alpha 10, sigma 5).
#include <torch/torch.h>

#include <random>

#include "EpisodeSampler.h"

namespace protolabel::inference::training {

void augmentEpisode(Episode& episode, std::mt19937_64& rng);

// Individual transforms on H x W tensors, exposed for tests.
torch::Tensor gammaTransform(const torch::Tensor& image, double gamma);
// Warps image and mask together; the mask is rounded afterwards.
void geometricTransform(torch::Tensor& image, torch::Tensor& mask, std::mt19937_64& rng);

}  // namespace protolabel::inference::training
