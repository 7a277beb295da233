#include <chrono>
#include <cmath>
#include <random>

#include "../ModelImpl.h"
#include "../nn/Episode.h"
#include "Augmentation.h"
#include "EpisodeSampler.h"
#include "TrainingVolume.h"
#include "protolabel/inference/Training.h"

namespace protolabel::inference {

TrainingOptions finetuneOptions() {
  TrainingOptions options;
  options.supervised = true;
  options.learningRate = 1e-4;
  return options;
}

namespace {

using training::Episode;

torch::Tensor toInput(const torch::Tensor& slice, int64_t size, bool isMask) {
  namespace F = torch::nn::functional;
  if (slice.size(0) == size && slice.size(1) == size) return slice;
  const torch::Tensor r = F::interpolate(slice.unsqueeze(0).unsqueeze(0), F::InterpolateFuncOptions()
                                                                              .size(std::vector<int64_t>{size, size})
                                                                              .mode(torch::kBilinear)
                                                                              .align_corners(false))
                              .squeeze(0)
                              .squeeze(0);
  return isMask ? (r > 0.5).to(torch::kFloat32) : r;
}

void writeCheckpoint(const Model& model, torch::optim::SGD& optimizer, int64_t iteration, const std::string& path) {
  torch::serialize::OutputArchive archive;
  writeModelArchive(model, archive, false);
  archive.write("train.iteration", c10::IValue(iteration));
  torch::serialize::OutputArchive optimizerArchive;
  optimizer.save(optimizerArchive);
  archive.write("train.optimizer", optimizerArchive);
  saveArchiveAtomically(archive, path);
}

int64_t readCheckpoint(Model& model, torch::optim::SGD& optimizer, const std::string& path) {
  // The weights through the model loader (it validates the file); then the optimizer and iteration.
  const auto stored = Model::load(path, model.device());
  {
    torch::NoGradGuard noGrad;
    const auto from = nn::stateDictEntries(*stored->impl().net);
    const auto to = nn::stateDictEntries(*model.impl().net);
    if (from.size() != to.size() || stored->info().preset != model.info().preset)
      throw EngineError(EngineError::Code::ModelFile, path + " is a checkpoint of another preset");
    for (std::size_t i = 0; i < to.size(); ++i) to[i].second.copy_(from[i].second);
  }
  torch::serialize::InputArchive archive;
  archive.load_from(path, model.impl().device);
  c10::IValue iteration;
  torch::serialize::InputArchive optimizerArchive;
  if (!archive.try_read("train.iteration", iteration) || !archive.try_read("train.optimizer", optimizerArchive))
    throw EngineError(EngineError::Code::ModelFile, path + " is a model file, not a training checkpoint");
  optimizer.load(optimizerArchive);
  return iteration.toInt();
}

}  // namespace

TrainingReport train(Model& model, const TrainingOptions& options, const TrainingCallback& callback,
                     const std::string& resumeFrom) {
  if (options.volumeFiles.empty()) throw EngineError(EngineError::Code::InvalidInput, "no training volumes given");
  Model::Impl& m = model.impl();
  std::vector<training::TrainingVolume> volumes;
  for (const std::string& file : options.volumeFiles) volumes.push_back(training::loadTrainingVolume(file));
  const training::EpisodeSampler sampler(volumes, options.supervised, options.minForeground);

  torch::optim::SGD optimizer(m.net->parameters(), torch::optim::SGDOptions(options.learningRate)
                                                       .momentum(options.momentum)
                                                       .weight_decay(options.weightDecay));
  int64_t iteration = resumeFrom.empty() ? 0 : readCheckpoint(model, optimizer, resumeFrom);
  // Seeded per start iteration, so a resumed run does not replay the episodes it has seen.
  std::mt19937_64 rng(options.seed + uint64_t(iteration) * 7919ULL);
  torch::manual_seed(options.seed + uint64_t(iteration));
  nn::SeededDraws draws(options.seed * 31ULL + uint64_t(iteration));

  const int64_t input = m.config.inputSize;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  TrainingReport report;
  TrainingProgress progress;
  progress.iterations = options.iterations;
  const int64_t first = iteration;
  double smoothing = 0;
  m.net->train();  // BatchNorm on batch statistics, as the reference trains
  while (iteration < options.iterations) {
    if (options.timeBudgetMinutes > 0 && elapsed() > options.timeBudgetMinutes * 60) {
      report.stoppedEarly = true;
      break;
    }
    const double lr = options.learningRate * std::pow(options.lrDecay, double(iteration / options.lrStep));
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);

    Episode e = sampler.sample(rng);
    if (options.augment) training::augmentEpisode(e, rng);
    auto image = [&](const torch::Tensor& s) { return toInput(s, input, false).expand({1, 3, input, input}).to(m.device); };
    auto mask = [&](const torch::Tensor& s) { return toInput(s, input, true).to(m.device); };
    const torch::Tensor supportMask = mask(e.supportMask), queryMask = mask(e.queryMask);
    if (!supportMask.any().item<bool>()) continue;  // the region vanished at the model's resolution

    optimizer.zero_grad();
    const nn::EpisodeLosses l = nn::episodeLosses(m.net, image(e.supportImage), supportMask, image(e.queryImage),
                                                  queryMask, draws);
    l.total.backward();
    optimizer.step();
    ++iteration;

    // Running means over the last ~50 iterations.
    const double w = 1.0 / std::min<double>(50.0, double(++smoothing));
    auto update = [&](double& mean, const torch::Tensor& value) { mean += w * (value.item<double>() - mean); };
    update(progress.loss, l.total);
    update(progress.query, l.query);
    update(progress.align, l.align);
    update(progress.aux, l.aux);
    update(progress.boundary, l.boundary);
    update(progress.ssp, l.ssp);
    progress.lastLoss = l.total.item<double>();
    progress.iteration = iteration;
    progress.learningRate = lr;
    progress.secondsPerIteration = elapsed() / double(iteration - first);
    progress.etaSeconds = progress.secondsPerIteration * double(options.iterations - iteration);
    if (options.timeBudgetMinutes > 0)
      progress.etaSeconds = std::min(progress.etaSeconds, options.timeBudgetMinutes * 60 - elapsed());
    if (!options.checkpointPath.empty() && options.checkpointEvery > 0 && iteration % options.checkpointEvery == 0)
      writeCheckpoint(model, optimizer, iteration, options.checkpointPath);
    if (callback && !callback(progress)) {
      report.stoppedEarly = true;
      break;
    }
  }
  m.net->eval();
  if (!options.checkpointPath.empty()) writeCheckpoint(model, optimizer, iteration, options.checkpointPath);
  report.iterations = iteration;
  report.seconds = elapsed();
  report.finalLoss = progress.loss;
  return report;
}

}  // namespace protolabel::inference
