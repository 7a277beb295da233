// protolabel train --data DIR --preset lite|paper --iterations N --output MODEL
//                  [--benchmark abd-mri|card-mri --exclude-fold K] [--resume CKPT] [--time-budget MIN]
//                  [--method cow|single-prototype] [--init MODEL] [--seed N] [--threads N] [--device D] [--cache DIR]
//                  [--no-augment]
// Self-supervised training on supervoxel episodes. DIR is the few-shot benchmark folder (with
// --benchmark, using its supervoxels), a folder of prepared *.pltv training volumes, or a folder of
// images (NIfTI, NRRD, MetaImage), which get ITK SLIC supervoxels inside the body.
#include <chrono>
#include <cstring>
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
#include "protolabel/core/training/Supervoxels.h"
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

bool isImageFile(const fs::path& p) {
  const std::string name = p.filename().string();
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"})
    if (name.size() > std::strlen(ext) && name.compare(name.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
      return true;
  return false;
}

// Prepared *.pltv files in `folder`; otherwise every image file there, given SLIC supervoxels and
// written as training volumes into `cache` (reused when present).
std::vector<std::string> folderFiles(const std::string& folder, const std::string& cache) {
  std::vector<std::string> files, images;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".pltv") files.push_back(entry.path().string());
    else if (entry.is_regular_file() && isImageFile(entry.path())) images.push_back(entry.path().string());
  }
  if (files.empty()) {
    fs::create_directories(cache);
    for (const std::string& path : images) {
      const std::string file = cache + "/" + fs::path(path).filename().string() + ".pltv";
      if (!fs::exists(file)) {
        std::cout << "Supervoxels for " << path << "\n";
        const core::Volume image = core::readImage(path).volume;
        core::writeTrainingVolume(file, image, core::computeSupervoxels(image), nullptr);
      }
      files.push_back(file);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError(folder + " holds no training volumes (*.pltv) or images; or pass --benchmark");
  return files;
}

}  // namespace

std::vector<std::string> trainingFilesFromArgs(const CommandLine& cl) {
  const std::string data = *cl.option("data");
  const std::string cache = cl.option("cache", (fs::temp_directory_path() / "protolabel-training").string());
  if (auto name = cl.option("benchmark"))
    return prepareBenchmark(core::loadFewShotBenchmark(*name, data), cl.intOption("exclude-fold"), cache);
  return folderFiles(data, cache);
}

void printTrainingProgress(const inference::TrainingProgress& p, std::ostream& out) {
  out << "iter " << p.iteration << "/" << p.iterations << std::fixed << std::setprecision(3) << "  loss " << p.loss
      << " (query " << p.query << ", align " << p.align << ", aux " << p.aux << ", boundary " << p.boundary
      << ", ssp " << p.ssp << ")  lr " << std::scientific << std::setprecision(2) << p.learningRate << std::fixed
      << "  " << std::setprecision(2) << p.secondsPerIteration << " s/it  ETA " << duration(p.etaSeconds) << "\n";
}

int runTrain(const Args& args) {
  const CommandLine cl(args, {"no-augment"},
                       {"data", "benchmark", "exclude-fold", "preset", "method", "init", "iterations", "output", "resume", "time-budget",
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
  const std::string method = cl.option("method", "cow");
  const inference::Device device = inference::parseDevice(cl.option("device", "auto"));
  // --init continues from a model file's weights with a fresh optimizer (unlike --resume, which
  // needs the checkpoint of the same run).
  const auto model = cl.option("init") ? inference::Model::load(*cl.option("init"), device)
                                       : inference::Model::create(preset, options.seed, device, method);
  const std::string startedFrom = cl.option("init") ? model->info().training : std::string();
  std::cout << "Training " << model->info().preset << " " << model->info().method << " (" << model->info().parameters << " parameters) on " << options.volumeFiles.size()
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
  if (!startedFrom.empty()) summary << startedFrom << "; then ";
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
