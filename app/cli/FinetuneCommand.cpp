// protolabel finetune --model BASE --images A[,B...] --labels LA[,LB...] --output NEW
//                     [--iterations N] [--time-budget MIN] [--learning-rate LR] [--seed N] [--threads N] [--device D]
// Supervised episodes (two adjacent slices of one labelled structure) from the user's labelled
// volumes, starting from BASE; writes NEW and never overwrites BASE or the shipped model.
#include <filesystem>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "CommandLine.h"
#include "Commands.h"
#include "ModelLocation.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/FinetuneData.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/segmentation/TrainingData.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/inference/Training.h"

namespace fs = std::filesystem;

namespace protolabel::app {

namespace {
std::vector<std::string> splitPaths(const std::string& list) {
  std::vector<std::string> paths;
  std::stringstream in(list);
  for (std::string p; std::getline(in, p, ',');)
    if (!p.empty()) paths.push_back(p);
  return paths;
}

bool samePath(const std::string& a, const std::string& b) {
  std::error_code ec;
  return !b.empty() && fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}
}  // namespace

void printTrainingProgress(const inference::TrainingProgress& p, std::ostream& out);

int runFinetune(const Args& args) {
  const CommandLine cl(args, {"no-augment"}, {"model", "images", "labels", "output", "iterations", "time-budget", "learning-rate", "seed",
                                              "threads", "device", "log-every", "modality"});
  for (const char* required : {"images", "labels", "output"})
    if (!cl.option(required)) throw UsageError(std::string("finetune needs --") + required);
  const std::string base = cl.option("model", defaultModelPath());
  if (base.empty()) throw UsageError("finetune needs --model (no shipped model found)");
  const std::string output = *cl.option("output");
  if (samePath(output, base) || samePath(output, defaultModelPath()))
    throw UsageError("the output must be a new file: the starting model and the shipped model are never overwritten");
  const auto images = splitPaths(*cl.option("images")), labels = splitPaths(*cl.option("labels"));
  if (images.size() != labels.size() || images.empty()) throw UsageError("give one label file per image");
  if (auto threads = cl.intOption("threads")) inference::setCpuThreads(*threads);

  // Each labelled volume as a training volume file (labels drive the episodes; no supervoxels).
  const fs::path work = fs::temp_directory_path() / ("protolabel-finetune-" + std::to_string(::getpid()));
  fs::create_directories(work);
  const auto model = inference::Model::load(base, inference::parseDevice(cl.option("device", "auto")));
  const segmentation::Modality requested = segmentation::parseModality(cl.option("modality", "auto"));
  inference::TrainingOptions options = inference::finetuneOptions();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const core::LoadedImage image = core::readImage(images[i]);
    const core::LabelMap label = core::readLabelMap(labels[i]);
    if (!label.geometry().sameGrid(image.volume.geometry()))
      throw core::Error(core::ErrorCode::GridMismatch, labels[i] + " does not lie on the grid of " + images[i]);
    if (!core::hasAnyLabel(label.voxels()))
      throw core::Error(core::ErrorCode::InvalidArgument, labels[i] + " holds no label to train on", labels[i]);
    const std::string dicomModality =
        image.seriesIndex >= 0 ? image.series[std::size_t(image.seriesIndex)].modality : std::string();
    // Prepared as the segmentation pipeline prepares a scan (the model's CT window and orientation).
    options.volumeFiles.push_back(segmentation::writeFinetuneVolume(
        image.volume, segmentation::resolveModality(requested, image.volume, dicomModality), label,
        model->info().preprocessing, work.string(), int(i)));
  }
  options.iterations = cl.intOption("iterations").value_or(2000);
  options.timeBudgetMinutes = std::stod(cl.option("time-budget", "0"));
  options.seed = uint64_t(cl.intOption("seed").value_or(2025));
  if (auto lr = cl.option("learning-rate")) options.learningRate = std::stod(*lr);
  options.augment = !cl.flag("no-augment");
  const int logEvery = std::max(1, cl.intOption("log-every").value_or(25));

  const std::string before = model->info().training;
  const auto report = inference::train(*model, options, [&](const inference::TrainingProgress& p) {
    if (p.iteration % logEvery == 0) printTrainingProgress(p, std::cout);
    return true;
  });
  fs::remove_all(work);
  model->setTrainingSummary(before + "; fine-tuned on " + std::to_string(images.size()) + " labelled volume(s) for " +
                            std::to_string(report.iterations) + " iterations");
  model->save(output);
  std::cout << "Wrote " << output << " (" << report.iterations << " iterations, " << int(report.seconds) << " s)\n";
  return 0;
}

}  // namespace protolabel::app
