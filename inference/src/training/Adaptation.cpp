#include "protolabel/inference/Adaptation.h"

#include <algorithm>

#include "../ModelImpl.h"
#include "../PreparedVolume.h"
#include "TrainingLoop.h"

namespace protolabel::inference {

AdaptationReport adaptToScan(Model& model, const VolumeView& scan, const std::vector<ScanStructure>& structures,
                             const AdaptationOptions& options, const std::function<bool(double)>& progress) {
  const PreparedVolume volume = prepareVolume(scan, "scan");
  const int64_t input = model.impl().config.inputSize;
  // Every example slice as a (image, mask) pair at the scan's resolution.
  struct Pair {
    torch::Tensor image, mask;
  };
  std::vector<std::vector<Pair>> pairs;
  std::array<double, 2> spacing{1, 1};
  // At most this many example slices per structure, evenly spaced: a fully labelled atlas used as the
  // examples (every slice of five organs) held 1.2 GB of pairs on a 512 x 512 scan, and a hundred
  // steps cannot use more than a few dozen anyway.
  constexpr std::size_t kMaxPairsPerStructure = 16;
  for (const ScanStructure& s : structures) {
    std::vector<Pair> list;
    const std::size_t count = s.examples.size(), kept = std::min(count, kMaxPairsPerStructure);
    for (std::size_t k = 0; k < kept; ++k) {
      const ScanExample& e = s.examples[kept == count ? k : k * (count - 1) / std::max<std::size_t>(1, kept - 1)];
      if (e.slice < 0 || e.slice >= volume.sliceCount(options.axis))
        throw EngineError(EngineError::Code::SupportOutOfRange, "example slice " + std::to_string(e.slice) + " lies outside the scan");
      const auto [image, frame] = volume.slice(options.axis, e.slice, input);
      if (int64_t(e.mask.size()) != frame.width * frame.height)
        throw EngineError(EngineError::Code::InvalidInput, "an example mask does not cover its slice");
      const torch::Tensor mask =
          torch::from_blob(const_cast<uint8_t*>(e.mask.data()), {frame.height, frame.width}, torch::kUInt8).ne(0).to(torch::kFloat32);
      if (!mask.any().item<bool>()) continue;
      list.push_back({image.contiguous(), mask.clone()});
    }
    if (!list.empty()) pairs.push_back(std::move(list));
  }
  if (pairs.empty()) throw EngineError(EngineError::Code::EmptySupport, "no example to adapt to");
  const double su = options.axis == SliceAxis::X ? scan.spacing[1] : scan.spacing[0];
  const double sv = options.axis == SliceAxis::Z ? scan.spacing[1] : scan.spacing[2];
  spacing = {su, sv};

  // Support and query from the examples of one structure (the same slice is allowed: the loop
  // augments one of the two, and reproducing its own example is what the network must learn here).
  auto episodes = [&](std::mt19937_64& rng) {
    const auto& list = pairs[std::uniform_int_distribution<std::size_t>(0, pairs.size() - 1)(rng)];
    std::uniform_int_distribution<std::size_t> pick(0, list.size() - 1);
    const Pair& support = list[pick(rng)];
    const Pair& query = list[pick(rng)];
    training::Episode e;
    e.supportImage = support.image;
    e.supportMask = support.mask;
    e.queryImage = query.image;
    e.queryMask = query.mask;
    e.spacing = spacing;
    e.padValue = volume.padValue;
    e.supervised = true;
    return e;
  };

  TrainingOptions loop;
  loop.iterations = options.maxIterations;
  loop.timeBudgetMinutes = options.seconds / 60.0;
  loop.learningRate = options.learningRate;
  loop.seed = options.seed;
  Model::Impl& m = model.impl();
  torch::optim::SGD optimizer(m.net->parameters(), torch::optim::SGDOptions(loop.learningRate)
                                                       .momentum(loop.momentum)
                                                       .weight_decay(loop.weightDecay));
  bool cancelled = false;
  const TrainingReport r = training::runTrainingLoop(model, optimizer, episodes, loop, 0, [&](const TrainingProgress& p) {
    if (!progress) return true;
    const double byIterations = double(p.iteration) / double(std::max<int64_t>(1, options.maxIterations));
    const double bySeconds = options.seconds > 0 ? p.secondsPerIteration * double(p.iteration) / options.seconds : 0.0;
    cancelled = !progress(std::min(1.0, std::max(byIterations, bySeconds)));
    return !cancelled;
  });
  return {r.iterations, r.seconds, r.finalLoss, cancelled};
}

}  // namespace protolabel::inference
