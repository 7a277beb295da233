// protolabel train --data DIR --preset lite|paper --iterations N --output MODEL
//                  [--benchmark abd-mri|card-mri --exclude-fold K] [--resume CKPT] [--time-budget MIN]
//                  [--seed N] [--threads N] [--device D] [--cache DIR] [--no-augment]
// Self-supervised training on supervoxel episodes. DIR is the few-shot benchmark folder (with
// --benchmark) or a folder of prepared *.pltv training volumes.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <algorithm>
#include <optional>
#include <sstream>

#include "CommandLine.h"
#include "Commands.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/TrainingVolumeFile.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/inference/Training.h"

namespace fs = std::filesystem;

namespace protolabel::app {

namespace {

std::string duration(double seconds) {
  std::ostringstream out;
  const auto s = int64_t(std::max(0.0, seconds));
  if (s >= 3600) out << s / 3600 << "h";
  out << std::setw(s >= 3600 ? 2 : 1) << std::setfill('0') << (s % 3600) / 60 << "m" << std::setw(2) << s % 60 << "s";
  return out.str();
}

// Writes the benchmark's training volumes (all but the excluded fold) as *.pltv files in `cache`,
// reusing files prepared earlier.
std::vector<std::string> prepareBenchmark(const core::FewShotBenchmark& benchmark, std::optional<int> excludedFold,
                                          const std::string& cache) {
  fs::create_directories(cache);
  std::vector<int> ids = excludedFold ? benchmark.trainingVolumes(*excludedFold) : benchmark.volumeIds;
  std::vector<std::string> files;
  for (int id : ids) {
    const std::string file = cache + "/" + benchmark.name + "_" + std::to_string(id) + ".pltv";
    if (!fs::exists(file)) {
      const core::Volume image = core::readImage(benchmark.imagePath(id)).volume;
      const core::Volume supervoxels = core::readImage(benchmark.supervoxelPath(id)).volume;
      const core::Volume labels = core::readImage(benchmark.labelPath(id)).volume;
      core::writeTrainingVolume(file, image, supervoxels, &labels);
    }
    files.push_back(file);
  }
  return files;
}

std::vector<std::string> preparedFiles(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().extension() == ".pltv") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError(folder + " holds no prepared training volumes (*.pltv); pass --benchmark");
  return files;
}

}  // namespace

std::vector<std::string> trainingFilesFromArgs(const CommandLine& cl) {
  const std::string data = *cl.option("data");
  if (auto name = cl.option("benchmark")) {
    const core::FewShotBenchmark benchmark = core::loadFewShotBenchmark(*name, data);
    const std::string cache = cl.option("cache", (fs::temp_directory_path() / "protolabel-training").string());
    return prepareBenchmark(benchmark, cl.intOption("exclude-fold"), cache);
  }
  return preparedFiles(data);
}

void printTrainingProgress(const inference::TrainingProgress& p, std::ostream& out) {
  out << "iter " << p.iteration << "/" << p.iterations << std::fixed << std::setprecision(3) << "  loss " << p.loss
      << " (query " << p.query << ", align " << p.align << ", aux " << p.aux << ", boundary " << p.boundary
      << ", ssp " << p.ssp << ")  lr " << std::scientific << std::setprecision(2) << p.learningRate << std::fixed
      << "  " << std::setprecision(2) << p.secondsPerIteration << " s/it  ETA " << duration(p.etaSeconds) << "\n";
}

int runTrain(const Args& args) {
  const CommandLine cl(args, {"no-augment"},
                       {"data", "benchmark", "exclude-fold", "preset", "iterations", "output", "resume", "time-budget",
                        "seed", "threads", "device", "cache", "log-every", "checkpoint-every"});
  for (const char* required : {"data", "output"})
    if (!cl.option(required)) throw UsageError(std::string("train needs --") + required);
  if (auto threads = cl.intOption("threads")) inference::setCpuThreads(*threads);

  inference::TrainingOptions options;
  options.volumeFiles = trainingFilesFromArgs(cl);
  options.iterations = cl.intOption("iterations").value_or(50000);
  options.timeBudgetMinutes = std::stod(cl.option("time-budget", "0"));
  options.seed = uint64_t(cl.intOption("seed").value_or(2025));
  options.augment = !cl.flag("no-augment");
  options.checkpointPath = *cl.option("output") + ".ckpt";
  options.checkpointEvery = cl.intOption("checkpoint-every").value_or(500);
  const int logEvery = std::max(1, cl.intOption("log-every").value_or(25));

  const std::string preset = cl.option("preset", "lite");
  const auto model = inference::Model::create(preset, options.seed, inference::parseDevice(cl.option("device", "auto")));
  std::cout << "Training " << preset << " (" << model->info().parameters << " parameters) on " << options.volumeFiles.size()
            << " volumes, " << options.iterations << " iterations"
            << (options.timeBudgetMinutes > 0 ? ", at most " + cl.option("time-budget", "") + " min" : "") << "\n";
  const inference::TrainingReport report = inference::train(
      *model, options,
      [&](const inference::TrainingProgress& p) {
        if (p.iteration % logEvery == 0 || p.iteration == p.iterations) printTrainingProgress(p, std::cout);
        std::cout.flush();
        return true;
      },
      cl.option("resume", ""));

  std::ostringstream summary;
  summary << "self-supervised (supervoxel episodes) on " << options.volumeFiles.size() << " volumes";
  if (auto b = cl.option("benchmark")) summary << " of " << *b;
  if (auto k = cl.intOption("exclude-fold")) summary << " excluding fold " << *k;
  summary << "; " << report.iterations << " iterations; " << duration(report.seconds) << " this run on "
          << (model->device() == inference::Device::Cuda ? "CUDA" : std::to_string(inference::queryRuntime().cpuThreads) + " CPU threads")
          << "; final loss " << std::setprecision(3) << report.finalLoss;
  model->setTrainingSummary(summary.str());
  model->save(*cl.option("output"));
  std::cout << "Wrote " << *cl.option("output") << ": " << summary.str() << "\n";
  return 0;
}

}  // namespace protolabel::app
