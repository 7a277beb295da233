// protolabel segment --image Q --support-image S --support-labels L --labels 1,2 --output OUT
//                    [--support-slices z1,z2] [--axis x|y|z] [--model FILE | --untrained PRESET]
//                    [--device auto|cpu|cuda] [--seed N] [--threads N] [--probabilities PREFIX]
//                    [--reference R] [--json]
#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <unistd.h>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "ModelLocation.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/TrainingOrientation.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/display/WindowPresets.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Engine.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/ui/SessionSegmentation.h"

namespace protolabel::app {

namespace {

std::vector<int64_t> parseList(const std::string& text, const std::string& what) {
  std::vector<int64_t> values;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      values.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw UsageError(what + " expects comma-separated whole numbers, not '" + text + "'");
    }
  }
  return values;
}

core::Axis parseAxis(const std::string& name) {
  if (name == "z" || name == "axial") return core::Axis::Z;
  if (name == "y" || name == "coronal") return core::Axis::Y;
  if (name == "x" || name == "sagittal") return core::Axis::X;
  throw UsageError("--axis expects x, y or z");
}

double dice(const std::vector<uint16_t>& predicted, const core::LabelMap& reference, uint16_t value) {
  int64_t a = 0, b = 0, both = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    const bool p = predicted[i] == value, r = reference.labelAtLinear(int64_t(i)) == value;
    a += p;
    b += r;
    both += p && r;
  }
  return a + b ? 2.0 * double(both) / double(a + b) : 1.0;
}

}  // namespace

std::shared_ptr<inference::Model> loadModelFromArgs(const CommandLine& cl) {
  const inference::Device device = inference::parseDevice(cl.option("device", "auto"));
  const std::string method = cl.option("method", "cow");
  if (auto preset = cl.option("untrained")) return inference::Model::create(*preset, 2025, device, method);
  std::string path = cl.option("model", defaultModelPath());
  if (path.empty()) throw UsageError("no model file: pass --model FILE (or --untrained lite|paper for a random network)");
  auto model = inference::Model::load(path, device);
  // A model file knows its method; --method then only guards against comparing the wrong files.
  if (cl.option("method") && model->info().method != method)
    throw UsageError(path + " is a " + model->info().method + " model, not " + method);
  return model;
}

int runSegment(const Args& args) {
  const CommandLine cl(args, {"json", "no-cache"},
                       {"image", "support-image", "support-labels", "labels", "output", "support-slices", "axis",
                        "model", "untrained", "method", "device", "seed", "threads", "probabilities", "reference"});
  for (const char* required : {"image", "support-labels", "labels", "output"})
    if (!cl.option(required)) throw UsageError(std::string("segment needs --") + required);
  if (auto threads = cl.intOption("threads")) inference::setCpuThreads(*threads);

  const core::LoadedImage query = core::readImage(*cl.option("image"));
  const std::string supportPath = cl.option("support-image", *cl.option("image"));
  const bool sameVolume = supportPath == *cl.option("image");
  std::optional<core::LoadedImage> otherSupport;
  if (!sameVolume) otherSupport = core::readImage(supportPath);
  const core::LoadedImage& support = sameVolume ? query : *otherSupport;
  const core::LabelMap supportLabels = core::readLabelMap(*cl.option("support-labels"));
  if (!supportLabels.geometry().sameGrid(support.volume.geometry()))
    throw core::Error(core::ErrorCode::GridMismatch, "the support labels do not lie on the support image's grid");
  const core::Axis axis = parseAxis(cl.option("axis", "z"));

  // Both volumes in the network's training orientation; the result is flipped back below.
  const core::AxisFlips queryFlips = core::flipsToTrainingOrientation(query.volume.geometry());
  const core::AxisFlips supportFlips = core::flipsToTrainingOrientation(support.volume.geometry());
  std::vector<float> queryVoxels = core::networkIntensities(query.volume);
  core::flipVolume(queryVoxels, query.volume.size(), queryFlips);
  std::vector<float> supportVoxels = sameVolume ? std::vector<float>() : core::networkIntensities(support.volume);
  if (!sameVolume) core::flipVolume(supportVoxels, support.volume.size(), supportFlips);
  const inference::VolumeView queryView = ui::viewOf(queryVoxels, query.volume);
  const inference::VolumeView supportView = ui::viewOf(supportVoxels, support.volume);

  inference::SegmentationRequest request;
  request.query = queryView;
  request.axis = static_cast<inference::SliceAxis>(int(axis));
  request.seed = uint64_t(cl.intOption("seed").value_or(2025));
  request.cacheSupport = !cl.flag("no-cache");
  for (int64_t value : parseList(*cl.option("labels"), "--labels")) {
    inference::LabelSupport label;
    label.label = uint16_t(value);
    label.volume = sameVolume ? nullptr : &supportView;
    const std::vector<int64_t> slices = cl.option("support-slices")
                                            ? parseList(*cl.option("support-slices"), "--support-slices")
                                            : core::ep1SupportSlices(supportLabels, label.label, axis);
    for (int64_t s : slices) {
      if (s < 0 || s >= core::sliceLayout(support.volume.size(), axis).count)
        throw UsageError("support slice " + std::to_string(s) + " lies outside the support image");
      auto mask = supportLabels.sliceMask(axis, s, label.label);
      core::flipSliceMask(mask, support.volume.size(), axis, supportFlips);
      const int64_t flipped = core::flipSliceIndex(s, support.volume.size(), axis, supportFlips);
      if (std::any_of(mask.begin(), mask.end(), [](uint8_t v) { return v; })) label.slices.push_back({flipped, std::move(mask)});
    }
    if (label.slices.empty())
      throw core::Error(core::ErrorCode::InvalidArgument,
                        "label " + std::to_string(value) + " has no voxels on the chosen support slices");
    request.labels.push_back(std::move(label));
  }

  const auto model = loadModelFromArgs(cl);
  inference::Engine engine(model);
  const auto start = std::chrono::steady_clock::now();
  const bool terminal = ::isatty(STDERR_FILENO);
  inference::SegmentationResult result = engine.segment(request, [&](int64_t done, int64_t total) {
    // A live counter on a terminal; every tenth of the way in logs.
    if (cl.flag("json")) return true;
    if (terminal)
      std::cerr << "\rSegmenting slice " << done << "/" << total << std::flush;
    else if (done * 10 / total != (done - 1) * 10 / total)
      std::cerr << "Segmented " << done << "/" << total << " slices\n";
    return true;
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!cl.flag("json") && terminal) std::cerr << "\n";
  core::flipVolume(result.labelMap, query.volume.size(), queryFlips);
  for (auto& label : result.labels) core::flipVolume(label.probability, query.volume.size(), queryFlips);

  // The label map, on the query's grid, with the support's label names and colours.
  core::Volume voxels(query.volume.geometry(), core::PixelType::UInt16);
  std::copy(result.labelMap.begin(), result.labelMap.end(), voxels.data<uint16_t>());
  core::LabelTable table;
  for (const auto& label : request.labels)
    if (const auto* entry = supportLabels.table().find(label.label)) table.set(*entry);
  core::LabelMap labels(std::move(voxels), table);
  labels.addMissingTableEntries();
  core::WriteOptions writeOptions;
  writeOptions.protectedPaths = {*cl.option("image"), supportPath};
  core::writeLabelMap(labels, query.volume.geometry(), *cl.option("output"), writeOptions);
  if (auto prefix = cl.option("probabilities")) {
    for (const auto& label : result.labels) {
      core::Volume p(query.volume.geometry(), core::PixelType::Float32);
      std::copy(label.probability.begin(), label.probability.end(), p.data<float>());
      core::writeImage(p, *prefix + "_label" + std::to_string(label.label) + ".nii.gz", writeOptions);
    }
  }

  QJsonObject diceJson;
  if (auto referencePath = cl.option("reference")) {
    const core::LabelMap reference = core::readLabelMap(*referencePath);
    if (!reference.geometry().sameGrid(query.volume.geometry()))
      throw core::Error(core::ErrorCode::GridMismatch, "the reference labels do not lie on the query image's grid");
    for (const auto& label : request.labels)
      diceJson[QString::number(label.label)] = dice(result.labelMap, reference, label.label);
  }
  if (cl.flag("json")) {
    QJsonObject out{{"output", QString::fromStdString(*cl.option("output"))},
                    {"seconds", seconds},
                    {"slices", qint64(result.segmentedSlices)}};
    if (!diceJson.isEmpty()) out["dice"] = diceJson;
    printJson(out);
  } else {
    std::cout << "Wrote " << *cl.option("output") << " (" << result.segmentedSlices << " slices, " << std::fixed
              << std::setprecision(1) << seconds << " s)\n";
    for (auto it = diceJson.begin(); it != diceJson.end(); ++it)
      std::cout << "Dice label " << it.key().toStdString() << ": " << std::setprecision(4) << it.value().toDouble()
                << "\n";
  }
  return 0;
}

}  // namespace protolabel::app
