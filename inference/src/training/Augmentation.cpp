#include "Augmentation.h"

#include <cmath>

namespace protolabel::inference::training {

namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

torch::Tensor gaussianKernel1d(double sigma, int64_t size) {
  const torch::Tensor x = torch::arange(size, torch::kFloat32) - double(size - 1) / 2;
  const torch::Tensor k = torch::exp(-(x * x) / (2 * sigma * sigma));
  return k / k.sum();
}

// Separable Gaussian blur of a 1 x C x H x W tensor (kernel 21, as the reference's cv2 call), reflect border.
torch::Tensor blur(const torch::Tensor& x, double sigma) {
  namespace F = torch::nn::functional;
  const int64_t size = 21, channels = x.size(1);
  const torch::Tensor k = gaussianKernel1d(sigma, size);
  const torch::Tensor kx = k.view({1, 1, 1, size}).repeat({channels, 1, 1, 1});
  const torch::Tensor ky = k.view({1, 1, size, 1}).repeat({channels, 1, 1, 1});
  torch::Tensor y = F::pad(x, F::PadFuncOptions({size / 2, size / 2, 0, 0}).mode(torch::kReflect));
  y = F::conv2d(y, kx, F::Conv2dFuncOptions().groups(channels));
  y = F::pad(y, F::PadFuncOptions({0, 0, size / 2, size / 2}).mode(torch::kReflect));
  return F::conv2d(y, ky, F::Conv2dFuncOptions().groups(channels));
}

}  // namespace

torch::Tensor gammaTransform(const torch::Tensor& image, double gamma) {
  const double lo = image.min().item<double>();
  const double range = image.max().item<double>() - lo + 1e-5;
  return range * torch::pow((image - lo + 1e-5) / range, gamma) + lo;
}

void geometricTransform(torch::Tensor& image, torch::Tensor& mask, std::mt19937_64& rng) {
  namespace F = torch::nn::functional;
  const int64_t h = image.size(0), w = image.size(1);
  const double pi = 3.14159265358979323846;
  const double angle = uniform(rng, -5, 5) * pi / 180, shear = uniform(rng, -5, 5) * pi / 180;
  const double scale = uniform(rng, 0.9, 1.2);
  const double tx = uniform(rng, -5, 5), ty = uniform(rng, -5, 5);
  // Output pixel -> input pixel: the inverse of rotate * shear * scale about the centre, then shift.
  const double a = std::cos(angle), b = -std::sin(angle + shear), c = std::sin(angle), d = std::cos(angle + shear);
  const double det = (a * d - b * c) * scale;
  const double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  // In normalised coordinates (align_corners = true) with the pixel aspect of the image.
  const double sxw = double(w - 1) / 2, syh = double(h - 1) / 2;
  const torch::Tensor theta = torch::tensor({ia, ib * syh / sxw, -(ia * tx + ib * ty) / sxw,
                                             ic * sxw / syh, id, -(ic * tx + id * ty) / syh},
                                            torch::kFloat32)
                                  .view({1, 2, 3});
  torch::Tensor grid = F::affine_grid(theta, {1, 1, h, w}, /*align_corners=*/true);
  // Elastic: a random displacement field in [-1, 1], Gaussian-smoothed (sigma 5), times alpha 10 pixels.
  const torch::Tensor field = blur(torch::rand({1, 2, h, w}) * 2 - 1, 5.0) * 10.0;
  grid = grid + torch::stack({field[0][0] / sxw, field[0][1] / syh}, -1).unsqueeze(0);
  auto warp = [&](const torch::Tensor& x) {
    return F::grid_sample(x.view({1, 1, h, w}), grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(true))
        .view({h, w});
  };
  image = warp(image);
  mask = torch::round(warp(mask));
}

void augmentEpisode(Episode& e, std::mt19937_64& rng) {
  std::bernoulli_distribution coin(0.5);
  const double gamma = uniform(rng, 0.5, 1.5);
  if (coin(rng))
    e.queryImage = gammaTransform(e.queryImage, gamma);
  else
    e.supportImage = gammaTransform(e.supportImage, gamma);
  if (coin(rng))
    geometricTransform(e.queryImage, e.queryMask, rng);
  else
    geometricTransform(e.supportImage, e.supportMask, rng);
}

}  // namespace protolabel::inference::training
