// protolabel segment --image Q --support-labels L --output OUT [--labels 1,2] [--support-image S]
//                    [--support-slices z1,z2 | --shots N] [--axis x|y|z] [--model FILE | --untrained PRESET]
//                    [--device auto|cpu|cuda] [--seed N] [--threads N] [--probabilities PREFIX]
//                    [--reference R] [--json] [pipeline options: --modality, --adapt, ...]
// The segmentation pipeline, exactly as the viewer's Segment button runs it. The examples are the
// slices of L that hold each label (as every painted slice is an example in the viewer), or, with
// --support-image, each label of S at 1/6, 1/2 and 5/6 of its extent (as the viewer takes a labelled
// volume's examples); --support-slices or --shots choose others.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>

#include <unistd.h>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "ModelLocation.h"
#include "PipelineArgs.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::app {

namespace {

core::Axis parseAxis(const std::string& name) {
  if (name == "z" || name == "axial") return core::Axis::Z;
  if (name == "y" || name == "coronal") return core::Axis::Y;
  if (name == "x" || name == "sagittal") return core::Axis::X;
  throw UsageError("--axis expects x, y or z");
}

std::string dicomModalityOf(const core::LoadedImage& image) {
  return image.seriesIndex >= 0 ? image.series[std::size_t(image.seriesIndex)].modality : std::string();
}

// The examples the viewer would take from `labels` (see the header comment), or the chosen slices.
segmentation::ExampleSet examplesFrom(const CommandLine& cl, const core::LabelMap& labels,
                                      const std::vector<uint16_t>& values, core::Axis axis, bool otherScan) {
  segmentation::ExampleSet set;
  if (auto shots = cl.intOption("shots", 1, 9)) {
    set = segmentation::examplesFromLabels(labels, values, axis, int(*shots));
  } else if (auto chosen = cl.intListOption("support-slices", 0, core::sliceLayout(labels.geometry().size, axis).count - 1)) {
    set.axis = axis;
    for (uint16_t value : values) {
      segmentation::LabelExamples label;
      label.label = value;
      for (int64_t s : *chosen) {
        auto mask = labels.sliceMask(axis, s, value);
        if (std::any_of(mask.begin(), mask.end(), [](uint8_t v) { return v; })) label.slices.push_back({s, std::move(mask)});
      }
      if (!label.slices.empty()) set.labels.push_back(std::move(label));
    }
  } else {
    set = otherScan ? segmentation::examplesFromLabelledScan(labels, values, axis)
                    : segmentation::examplesFromPaintedSlices(labels, values, axis);
  }
  for (uint16_t value : values)
    if (std::none_of(set.labels.begin(), set.labels.end(), [&](const auto& l) { return l.label == value; }))
      throw core::Error(core::ErrorCode::InvalidArgument,
                        "label " + std::to_string(value) + " has no voxels on the chosen example slices");
  return set;
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
  const CommandLine cl(args, withPipelineFlags({"json"}),
                       withPipelineOptions({"image", "support-image", "support-labels", "labels", "output",
                                            "support-slices", "shots", "axis", "model", "untrained", "method", "device",
                                            "seed", "threads", "probabilities", "reference"}));
  for (const char* required : {"image", "support-labels", "output"})
    if (!cl.option(required)) throw UsageError(std::string("segment needs --") + required);
  if (auto threads = cl.intOption("threads", 1, 1024)) inference::setCpuThreads(int(*threads));
  const segmentation::PipelineOptions options = pipelineOptionsFromArgs(cl);
  const std::string imagePath = *cl.option("image"), output = *cl.option("output");
  const std::string supportPath = cl.option("support-image", imagePath);
  const std::string labelsPath = *cl.option("support-labels");
  // Every input is protected, not only the images: the output never replaces what the user gave.
  core::WriteOptions writeOptions;
  writeOptions.protectedPaths = {imagePath, supportPath, labelsPath};
  if (auto reference = cl.option("reference")) writeOptions.protectedPaths.push_back(*reference);
  core::checkOutputPath(output, writeOptions);

  const core::LoadedImage query = core::readImage(imagePath);
  const bool otherScan = supportPath != imagePath;
  std::optional<core::LoadedImage> otherSupport;
  if (otherScan) otherSupport = core::readImage(supportPath);
  const core::LoadedImage& support = otherScan ? *otherSupport : query;
  const core::LabelMap supportLabels = core::readLabelMap(labelsPath);
  if (!supportLabels.geometry().sameGrid(support.volume.geometry()))
    throw core::Error(core::ErrorCode::GridMismatch, "the support labels do not lie on the support image's grid");
  const core::Axis axis = parseAxis(cl.option("axis", "z"));
  std::vector<uint16_t> values;
  if (auto list = cl.intListOption("labels", 1, 65535))
    for (int64_t v : *list) values.push_back(uint16_t(v));
  else
    for (const auto& [value, count] : supportLabels.histogram()) values.push_back(value);
  if (values.empty()) throw core::Error(core::ErrorCode::InvalidArgument, labelsPath + " holds no label to segment");

  segmentation::PipelineInput input;
  input.image = &query.volume;
  input.dicomModality = dicomModalityOf(query);
  segmentation::SupportScan supportScan;
  if (otherScan) {
    supportScan.image = &support.volume;
    supportScan.dicomModality = dicomModalityOf(support);
    supportScan.modality = options.modality;
    supportScan.examples = examplesFrom(cl, supportLabels, values, axis, true);
    input.support = &supportScan;
  } else {
    input.examples = examplesFrom(cl, supportLabels, values, axis, false);
  }
  segmentation::PipelineOptions run = options;
  run.keepProbabilities = cl.option("probabilities").has_value();

  const auto model = loadModelFromArgs(cl);
  const bool terminal = ::isatty(STDERR_FILENO), json = cl.flag("json");
  const auto start = std::chrono::steady_clock::now();
  int lastTenth = -1;
  segmentation::PipelineResult result =
      segmentation::Pipeline(model).run(input, run, [&](const segmentation::PipelineProgress& p) {
        // A live line on a terminal; every tenth of the way in logs.
        if (json) return true;
        const int tenth = int(p.fraction * 10);
        if (terminal)
          std::cerr << "\r" << p.stage << " " << int(p.fraction * 100) << "%   " << std::flush;
        else if (tenth != lastTenth)
          std::cerr << p.stage << " " << tenth * 10 << "%\n";
        lastTenth = tenth;
        return true;
      });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!json && terminal) std::cerr << "\n";

  // The label map, on the query's grid, with the support's label names and colours.
  core::LabelTable table;
  for (uint16_t value : values)
    if (const auto* entry = supportLabels.table().find(value)) table.set(*entry);
  result.labels.table() = table;
  result.labels.addMissingTableEntries();
  core::writeLabelMap(result.labels, query.volume.geometry(), output, writeOptions);
  if (auto prefix = cl.option("probabilities")) {
    for (const auto& [value, probability] : result.probabilities) {
      core::Volume p(query.volume.geometry(), core::PixelType::Float32);
      std::copy(probability.begin(), probability.end(), p.data<float>());
      core::writeImage(p, *prefix + "_label" + std::to_string(value) + ".nii.gz", writeOptions);
    }
  }

  QJsonObject diceJson;
  if (auto referencePath = cl.option("reference")) {
    const core::LabelMap reference = core::readLabelMap(*referencePath);
    if (!reference.geometry().sameGrid(query.volume.geometry()))
      throw core::Error(core::ErrorCode::GridMismatch, "the reference labels do not lie on the query image's grid");
    const core::Volume truth = reference.voxels().convertedTo(core::PixelType::UInt16);
    const auto& size = query.volume.size();
    const int64_t dims[3] = {size[0], size[1], size[2]};
    for (uint16_t value : values)
      diceJson[QString::number(value)] =
          core::dice3d(result.labels.voxels().data<uint16_t>(), truth.data<uint16_t>(), dims, value);
  }
  // How well each structure's own example slices come back, the example not pasted (a diagnostic:
  // low means the model does not reproduce what it was shown); only for examples on this scan.
  QJsonObject exampleJson;
  for (const auto& [value, decided] : result.exampleDecisionDice)
    if (!std::isnan(decided) && result.exampleDice.count(value))
      exampleJson[QString::number(value)] = QJsonObject{{"pipeline", decided}, {"network", result.exampleDice.at(value)}};
  if (json) {
    QJsonObject out{{"output", QString::fromStdString(output)},
                    {"seconds", seconds},
                    {"modality", segmentation::modalityName(result.modality)},
                    {"adapt_iterations", qint64(result.adaptIterations)}};
    if (!diceJson.isEmpty()) out["dice"] = diceJson;
    if (!exampleJson.isEmpty()) out["dice_on_example"] = exampleJson;
    printJson(out);
  } else {
    std::cout << "Wrote " << output << " (" << values.size() << " structure(s), " << segmentation::modalityName(result.modality)
              << ", " << std::fixed << std::setprecision(1) << seconds << " s";
    if (result.adaptIterations) std::cout << ", adapted " << result.adaptIterations << " steps";
    std::cout << ")\n";
    for (auto it = diceJson.begin(); it != diceJson.end(); ++it)
      std::cout << "Dice label " << it.key().toStdString() << ": " << std::setprecision(4) << it.value().toDouble()
                << "\n";
    for (auto it = exampleJson.begin(); it != exampleJson.end(); ++it) {
      const QJsonObject own = it.value().toObject();
      std::cout << "On its example slices, label " << it.key().toStdString() << ": Dice " << std::setprecision(4)
                << own["pipeline"].toDouble() << " (the network alone " << own["network"].toDouble() << ")\n";
    }
  }
  return 0;
}

}  // namespace protolabel::app
