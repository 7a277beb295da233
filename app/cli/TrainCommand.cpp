// protolabel train --output MODEL (--data DIR [--benchmark abd-mri|card-mri [--exclude-fold K]] | --volumes LIST)
//                  [--preset lite|paper] [--iterations N] [--resume CKPT] [--time-budget MIN]
//                  [--method cow|single-prototype] [--init MODEL] [--seed N] [--threads N] [--device D] [--cache DIR]
//                  [--supervised-fraction F] [--negative-fraction F] [--learning-rate LR] [--no-augment]
// Training on supervoxel episodes and, with --supervised-fraction, on episodes from labels. DIR is the
// few-shot benchmark folder (with --benchmark, using its supervoxels), a folder of prepared *.pltv
// training volumes, or a folder of images (NIfTI, NRRD, MetaImage), which get ITK SLIC supervoxels
// inside the body. LIST names images with their labels, supervoxels and modality (one per line, see
// segmentation/TrainingData.h). Every volume is prepared as the segmentation pipeline prepares a scan.
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
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/inference/Training.h"
#include "protolabel/segmentation/TrainingData.h"

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

// The benchmark's training volumes (all but the excluded fold) with their supervoxels and labels.
std::vector<segmentation::TrainingSource> benchmarkSources(const core::FewShotBenchmark& benchmark,
                                                           std::optional<int> excludedFold) {
  std::vector<segmentation::TrainingSource> sources;
  for (int id : excludedFold ? benchmark.trainingVolumes(*excludedFold) : benchmark.volumeIds)
    sources.push_back({benchmark.imagePath(id), benchmark.labelPath(id), benchmark.supervoxelPath(id),
                       segmentation::parseModality(benchmark.modality)});
  return sources;
}

bool isImageFile(const fs::path& p) {
  const std::string name = p.filename().string();
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"})
    if (name.size() > std::strlen(ext) && name.compare(name.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
      return true;
  return false;
}

// Prepared *.pltv files in `folder` are used as they are; otherwise every image file there becomes a
// source (SLIC supervoxels, no labels).
std::vector<std::string> folderFiles(const std::string& folder, const inference::Preprocessing& preprocessing,
                                     const std::string& cache) {
  std::vector<std::string> files;
  std::vector<segmentation::TrainingSource> images;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".pltv") files.push_back(entry.path().string());
    else if (entry.is_regular_file() && isImageFile(entry.path())) images.push_back({entry.path().string(), "", "", {}});
  }
  if (files.empty())
    for (const auto& source : images) {
      std::cout << "Preparing " << source.image << "\n";
      files.push_back(segmentation::prepareTrainingVolume(source, preprocessing, cache));
    }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError(folder + " holds no training volumes (*.pltv) or images; or pass --benchmark");
  return files;
}

}  // namespace

std::vector<std::string> trainingFilesFromArgs(const CommandLine& cl, const inference::Preprocessing& preprocessing) {
  const std::string cache = cl.option("cache", (fs::temp_directory_path() / "protolabel-training").string());
  std::vector<segmentation::TrainingSource> sources;
  if (auto list = cl.option("volumes")) sources = segmentation::readTrainingList(*list);
  if (auto name = cl.option("benchmark")) {
    if (!cl.option("data")) throw UsageError("--benchmark needs --data (the few-shot benchmark folder)");
    const auto more = benchmarkSources(core::loadFewShotBenchmark(*name, *cl.option("data")), cl.intOption("exclude-fold"));
    sources.insert(sources.end(), more.begin(), more.end());
  } else if (auto data = cl.option("data")) {
    auto files = folderFiles(*data, preprocessing, cache);
    for (const auto& source : sources) files.push_back(segmentation::prepareTrainingVolume(source, preprocessing, cache));
    return files;
  }
  if (sources.empty()) throw UsageError("train needs --data DIR, --benchmark NAME --data DIR, or --volumes LIST");
  std::vector<std::string> files;
  for (const auto& source : sources) {
    std::cout << "Preparing " << source.image << "\n" << std::flush;
    files.push_back(segmentation::prepareTrainingVolume(source, preprocessing, cache));
  }
  return files;
}

void printTrainingProgress(const inference::TrainingProgress& p, std::ostream& out) {
  out << "iter " << p.iteration << "/" << p.iterations << std::fixed << std::setprecision(3) << "  loss " << p.loss
      << " (query " << p.query << ", align " << p.align << ", aux " << p.aux << ", boundary " << p.boundary
      << ", ssp " << p.ssp << ")  lr " << std::scientific << std::setprecision(2) << p.learningRate << std::fixed
      << "  " << std::setprecision(2) << p.secondsPerIteration << " s/it  ETA " << duration(p.etaSeconds) << "\n";
}

int runTrain(const Args& args) {
  const CommandLine cl(args, {"no-augment"},
                       {"data", "volumes", "benchmark", "exclude-fold", "preset", "method", "init", "iterations", "output",
                        "resume", "time-budget", "seed", "threads", "device", "cache", "log-every", "checkpoint-every",
                        "supervised-fraction", "negative-fraction", "learning-rate"});
  if (!cl.option("output")) throw UsageError("train needs --output");
  if (auto threads = cl.intOption("threads")) inference::setCpuThreads(*threads);

  const std::string preset = cl.option("preset", "lite");
  const std::string method = cl.option("method", "cow");
  const inference::Device device = inference::parseDevice(cl.option("device", "auto"));
  const uint64_t seed = uint64_t(cl.intOption("seed").value_or(2025));
  // --init continues from a model file's weights with a fresh optimizer (unlike --resume, which
  // needs the checkpoint of the same run).
  std::shared_ptr<inference::Model> model;
  std::string startedFrom;
  if (auto init = cl.option("init")) {
    model = inference::Model::load(*init, device);
    startedFrom = model->info().training;
    if (cl.option("method") && model->info().method != method) {
      // Another method from the same weights: what the two share (the encoder) is copied.
      auto other = inference::Model::create(model->info().preset, seed, device, method);
      const int64_t copied = other->copyMatchingWeights(*model);
      other->setPreprocessing(model->info().preprocessing);
      startedFrom = "the " + std::to_string(copied) + " tensors it shares with " + fs::path(*init).filename().string() +
                    " (" + startedFrom + ")";
      model = other;
    }
  } else {
    model = inference::Model::create(preset, seed, device, method);
  }

  inference::TrainingOptions options;
  options.volumeFiles = trainingFilesFromArgs(cl, model->info().preprocessing);
  options.supervisedFraction = std::stod(cl.option("supervised-fraction", "0"));
  options.negativeFraction = std::stod(cl.option("negative-fraction", "0.15"));
  if (auto lr = cl.option("learning-rate")) options.learningRate = std::stod(*lr);
  if (!(options.supervisedFraction >= 0 && options.supervisedFraction <= 1) ||
      !(options.negativeFraction >= 0 && options.negativeFraction <= 1))
    throw UsageError("--supervised-fraction and --negative-fraction take a share between 0 and 1");
  options.iterations = cl.intOption("iterations").value_or(50000);
  options.timeBudgetMinutes = std::stod(cl.option("time-budget", "0"));
  options.seed = seed;
  options.augment = !cl.flag("no-augment");
  options.checkpointPath = *cl.option("output") + ".ckpt";
  options.checkpointEvery = cl.intOption("checkpoint-every").value_or(500);
  const int logEvery = std::max(1, cl.intOption("log-every").value_or(25));

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
  if (options.supervisedFraction > 0)
    summary << int(std::lround(options.supervisedFraction * 100)) << "% supervised episodes from labels ("
            << int(std::lround(options.negativeFraction * 100)) << "% of them with an absent structure), the rest ";
  summary << "self-supervised (supervoxel episodes) on " << options.volumeFiles.size() << " volumes";
  if (auto list = cl.option("volumes")) summary << " (" << fs::path(*list).filename().string() << ")";
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
