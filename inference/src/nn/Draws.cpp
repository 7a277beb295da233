#include "Draws.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace protolabel::inference::nn {

SeededDraws::SeededDraws(uint64_t seed) : generator_(at::detail::createCPUGenerator(seed)) {}

torch::Tensor SeededDraws::draw(int64_t n, int64_t k) {
  return torch::randperm(n, generator_, torch::TensorOptions().dtype(torch::kInt64)).slice(0, 0, k);
}

void RecordedDraws::push(int64_t n, torch::Tensor indices) { queue_.emplace_back(n, indices.to(torch::kInt64)); }

torch::Tensor RecordedDraws::draw(int64_t n, int64_t k) {
  if (queue_.empty()) throw std::runtime_error("no recorded draw left");
  auto [population, indices] = queue_.front();
  queue_.pop_front();
  if (population != n || indices.numel() != k)
    throw std::runtime_error("recorded draw is sample(" + std::to_string(population) + ", " +
                             std::to_string(indices.numel()) + "), asked for sample(" + std::to_string(n) + ", " +
                             std::to_string(k) + ")");
  return indices;
}

}  // namespace protolabel::inference::nn
