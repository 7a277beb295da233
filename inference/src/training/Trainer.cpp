#include <chrono>
#include <cmath>
#include <random>

#include "../ModelImpl.h"
#include "../SliceFrame.h"
#include "../nn/Episode.h"
#include "Augmentation.h"
#include "EpisodeSampler.h"
#include "TrainingLoop.h"
#include "TrainingVolume.h"
#include "protolabel/inference/Training.h"

namespace protolabel::inference {

TrainingOptions finetuneOptions() {
  TrainingOptions options;
  options.supervisedFraction = 1;
  options.learningRate = 1e-4;
  return options;
}

namespace {

using training::Episode;


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
  training::SamplerOptions samplerOptions;
  samplerOptions.minForeground = options.minForeground;
  samplerOptions.supervisedFraction = options.supervisedFraction;
  samplerOptions.negativeFraction = options.negativeFraction;
  const training::EpisodeSampler sampler(volumes, samplerOptions);

  torch::optim::SGD optimizer(m.net->parameters(), torch::optim::SGDOptions(options.learningRate)
                                                       .momentum(options.momentum)
                                                       .weight_decay(options.weightDecay));
  const int64_t iteration = resumeFrom.empty() ? 0 : readCheckpoint(model, optimizer, resumeFrom);
  return training::runTrainingLoop(model, optimizer, [&](std::mt19937_64& rng) { return sampler.sample(rng); }, options,
                                   iteration, callback);
}

namespace training {

TrainingReport runTrainingLoop(Model& model, torch::optim::SGD& optimizer, const EpisodeSource& episodes,
                               const TrainingOptions& options, int64_t iteration, const TrainingCallback& callback) {
  Model::Impl& m = model.impl();
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
    // The budget is a limit: no step starts that would end after it (by the mean step time so far).
    const double stepSeconds = iteration > first ? elapsed() / double(iteration - first) : 0.0;
    if (options.timeBudgetMinutes > 0 && elapsed() + stepSeconds > options.timeBudgetMinutes * 60) {
      report.stoppedEarly = true;
      break;
    }
    const double lr = options.learningRate * std::pow(options.lrDecay, double(iteration / options.lrStep));
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);

    Episode e = episodes(rng);
    if (options.augment) training::augmentEpisode(e, rng);
    // Fitted into the model input by physical size and padded, exactly as the engine does.
    const SliceFrame frame = SliceFrame::fit(e.supportImage.size(1), e.supportImage.size(0), e.spacing[0], e.spacing[1], input);
    auto image = [&](const torch::Tensor& s) {
      return frame.toModel(s, e.padValue).expand({1, 3, input, input}).to(m.device);
    };
    auto mask = [&](const torch::Tensor& s) { return frame.maskToModel(s).to(torch::kFloat32).to(m.device); };
    const torch::Tensor supportMask = mask(e.supportMask), queryMask = mask(e.queryMask);
    if (!supportMask.any().item<bool>()) {  // the region vanished at the model's resolution
      if (callback && !callback(progress)) {
        report.stoppedEarly = true;
        break;
      }
      continue;
    }

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

}  // namespace training

}  // namespace protolabel::inference
