#pragma once
// Random index draws used by prototype generation. The reference samples with Python's random,
// which C++ cannot reproduce; parity tests inject the recorded draws instead.
#include <torch/torch.h>

#include <deque>

namespace protolabel::inference::nn {

class DrawSource {
 public:
  virtual ~DrawSource() = default;
  // `k` distinct indices of [0, n) in draw order (int64 tensor of length k).
  virtual torch::Tensor draw(int64_t n, int64_t k) = 0;
};

// Seeded, reproducible draws without replacement.
class SeededDraws : public DrawSource {
 public:
  explicit SeededDraws(uint64_t seed);
  torch::Tensor draw(int64_t n, int64_t k) override;

 private:
  torch::Generator generator_;
};

// Replays a fixed list of draws; throws std::runtime_error if asked for a different (n, k) or for
// more draws than were recorded.
class RecordedDraws : public DrawSource {
 public:
  void push(int64_t n, torch::Tensor indices);
  torch::Tensor draw(int64_t n, int64_t k) override;
  std::size_t remaining() const { return queue_.size(); }

 private:
  std::deque<std::pair<int64_t, torch::Tensor>> queue_;
};

}  // namespace protolabel::inference::nn
