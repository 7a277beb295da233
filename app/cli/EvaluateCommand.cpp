// protolabel evaluate --benchmark abd-mri|card-mri|abd-ct --fold K|all --model MODEL [--data DIR]
//                     [--protocol ep1|volume|interactive] [--method cow|single-prototype] [--seed N]
//                     [--threads N] [--device D] [--json] [pipeline options]
// EP1 (the published protocol, a benchmark of the network itself): per organ, the query's organ
// slices (by ground truth) in 3 chunks, chunk i segmented slice by slice with the support's middle
// organ slice of third i; 3D Dice per query volume over those slices. "volume": the support volume's
// middle organ slices as examples for the whole query volume, through the segmentation pipeline
// (segmenting a new scan from a labelled one). "interactive": see InteractiveEvaluation.cpp.
#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <numeric>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "PipelineArgs.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/inference/Engine.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/NetworkVolume.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::app {

namespace {

struct Scan {
  std::unique_ptr<segmentation::NetworkVolume> network;  // prepared as the pipeline prepares a scan
  core::Volume image;
  core::LabelMap truth;          // on the image's grid, in its voxel order (the pipeline's view)
  std::vector<uint16_t> labels;  // in the network's voxel order (the engine's view)
  inference::VolumeView view;

  int64_t plane() const { return view.size[0] * view.size[1]; }
  std::vector<int64_t> organSlices(uint16_t organ) const {
    std::vector<int64_t> slices;
    for (int64_t z = 0; z < view.size[2]; ++z) {
      const uint16_t* s = labels.data() + z * plane();
      if (std::find(s, s + plane(), organ) != s + plane()) slices.push_back(z);
    }
    return slices;
  }
  inference::SupportSlice support(uint16_t organ, int64_t z) const {
    inference::SupportSlice s{z, std::vector<uint8_t>(std::size_t(plane()))};
    const uint16_t* l = labels.data() + z * plane();
    for (int64_t i = 0; i < plane(); ++i) s.mask[std::size_t(i)] = l[i] == organ;
    return s;
  }
};

// The benchmark's label maps are stored index-aligned with their images (as the reference reads them);
// the benchmark volumes are stored in the training orientation already, so no flip changes them.
Scan loadScan(const core::FewShotBenchmark& b, int id, const inference::Preprocessing& preprocessing) {
  Scan s;
  s.image = core::readImage(b.imagePath(id)).volume;
  const core::Volume labels = core::readImage(b.labelPath(id)).volume.convertedTo(core::PixelType::UInt16);
  if (labels.size() != s.image.size())
    throw core::Error(core::ErrorCode::GridMismatch, "label and image sizes differ for volume " + std::to_string(id));
  s.network = std::make_unique<segmentation::NetworkVolume>(s.image, segmentation::parseModality(b.modality), preprocessing);
  s.labels.assign(labels.data<uint16_t>(), labels.data<uint16_t>() + labels.voxelCount());
  core::Volume truth(s.image.geometry(), core::PixelType::UInt16);
  std::copy(s.labels.begin(), s.labels.end(), truth.data<uint16_t>());
  s.truth = core::LabelMap(std::move(truth), {});
  s.network->flip(s.labels);
  s.view = s.network->view();
  return s;
}

// Dice of every organ for one query volume.
std::map<uint16_t, double> evaluateQuery(inference::Engine& engine, const segmentation::Pipeline& pipeline,
                                         const segmentation::PipelineOptions& options, const core::FewShotBenchmark& b,
                                         const Scan& support, const Scan& query, bool ep1, uint64_t seed) {
  std::map<uint16_t, double> dice;
  const int64_t size[3] = {query.view.size[0], query.view.size[1], query.view.size[2]};
  if (ep1) {
    for (const core::BenchmarkOrgan& organ : b.organs) {
      const std::vector<int64_t> querySlices = query.organSlices(organ.value);
      std::vector<uint16_t> predicted(query.labels.size(), 0);
      for (const core::Ep1Chunk& chunk : core::ep1Chunks(querySlices, support.organSlices(organ.value))) {
        inference::SegmentationRequest request;
        request.query = query.view;
        request.seed = seed;
        request.querySlices = chunk.querySlices;
        inference::LabelSupport label;
        label.label = organ.value;
        label.volume = &support.view;
        label.slices = {support.support(organ.value, chunk.supportSlice)};
        request.labels = {label};
        const auto result = engine.segment(request);
        for (int64_t z : chunk.querySlices)
          std::copy_n(result.labelMap.begin() + z * query.plane(), query.plane(), predicted.begin() + z * query.plane());
      }
      dice[organ.value] = core::dice3d(predicted.data(), query.labels.data(), size, organ.value, querySlices);
    }
    return dice;
  }
  // "volume": the support scan's middle organ slices as examples, the whole query through the pipeline.
  std::vector<uint16_t> values;
  for (const core::BenchmarkOrgan& organ : b.organs) values.push_back(organ.value);
  segmentation::SupportScan scan;
  scan.image = &support.image;
  scan.modality = segmentation::parseModality(b.modality);
  scan.examples = segmentation::examplesFromLabels(support.truth, values, core::Axis::Z, 1);
  segmentation::PipelineInput input;
  input.image = &query.image;
  input.support = &scan;
  segmentation::PipelineOptions o = options;
  o.modality = scan.modality;
  const segmentation::PipelineResult result = pipeline.run(input, o);
  const core::Volume truth = query.truth.voxels();
  for (const core::BenchmarkOrgan& organ : b.organs)
    dice[organ.value] = core::dice3d(result.labels.voxels().data<uint16_t>(), truth.data<uint16_t>(), size, organ.value);
  return dice;
}

}  // namespace

std::string defaultBenchmarkData() {
  if (const char* env = std::getenv("PROTOLABEL_BENCHMARK_DATA")) return env;
  return std::string(PROTOLABEL_SOURCE_DIR) + "/../shared/data/fewshot-benchmark";
}

int runInteractiveEvaluation(const CommandLine& cl);

int runEvaluate(const Args& args) {
  const CommandLine cl(args, withPipelineFlags({"json", "per-slice"}),
                       withPipelineOptions({"benchmark", "fold", "model", "untrained", "method", "data", "protocol", "seed",
                                            "threads", "device", "shots", "volumes"}));
  if (!cl.option("benchmark")) throw UsageError("evaluate needs --benchmark abd-mri|card-mri|abd-ct (or sample)");
  const std::string protocol = cl.option("protocol", "ep1");
  if (protocol == "interactive") return runInteractiveEvaluation(cl);
  if (protocol != "ep1" && protocol != "volume") throw UsageError("--protocol expects ep1, volume or interactive");
  const core::FewShotBenchmark b = core::loadFewShotBenchmark(*cl.option("benchmark"), cl.option("data", defaultBenchmarkData()));
  const std::string foldArg = cl.option("fold", "all");
  std::vector<int> folds;
  if (foldArg == "all")
    for (int k = 0; k < b.folds; ++k) folds.push_back(k);
  else
    folds.push_back(cl.intOption("fold").value());
  inference::setCpuThreads(cl.intOption("threads").value_or(2));
  const auto model = loadModelFromArgs(cl);
  inference::Engine engine(model);
  const segmentation::Pipeline pipeline(model);
  const segmentation::PipelineOptions options = pipelineOptionsFromArgs(cl);
  const uint64_t seed = uint64_t(cl.intOption("seed").value_or(2025));

  QJsonArray foldsJson;
  std::map<uint16_t, std::vector<double>> foldMeans;  // per organ, one value per fold
  for (int fold : folds) {
    const int supportId = b.supportVolume(fold);
    const Scan support = loadScan(b, supportId, model->info().preprocessing);
    std::map<uint16_t, std::vector<double>> perOrgan;
    QJsonArray volumes;
    for (int id : b.foldVolumes(fold)) {
      if (id == supportId) continue;
      const auto dice = evaluateQuery(engine, pipeline, options, b, support, loadScan(b, id, model->info().preprocessing),
                                      protocol == "ep1", seed);
      QJsonObject v{{"volume", id}};
      for (const auto& [organ, d] : dice) {
        perOrgan[organ].push_back(d);
        v[QString::number(organ)] = d;
      }
      volumes.append(v);
    }
    QJsonObject foldDice;
    if (!cl.flag("json")) std::cout << "Fold " << fold << " (support " << supportId << "):";
    for (const core::BenchmarkOrgan& organ : b.organs) {
      const auto& values = perOrgan[organ.value];
      const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
      foldMeans[organ.value].push_back(mean);
      foldDice[QString::fromStdString(organ.name)] = 100 * mean;
      if (!cl.flag("json")) std::cout << "  " << organ.name << " " << std::fixed << std::setprecision(1) << 100 * mean;
    }
    if (!cl.flag("json")) std::cout << std::endl;
    foldsJson.append(QJsonObject{{"fold", fold}, {"support", supportId}, {"dice", foldDice}, {"volumes", volumes}});
  }

  QJsonObject diceJson;
  double total = 0;
  for (const core::BenchmarkOrgan& organ : b.organs) {
    const auto& values = foldMeans[organ.value];
    const double mean = 100 * std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    diceJson[QString::fromStdString(organ.name)] = mean;
    total += mean;
  }
  const double meanDice = total / double(b.organs.size());
  if (cl.flag("json")) {
    printJson(QJsonObject{{"benchmark", QString::fromStdString(b.name)},
                          {"method", QString::fromStdString(model->info().method)},
                          {"protocol", QString::fromStdString(protocol)},
                          {"folds", foldsJson},
                          {"dice", diceJson},
                          {"mean_dice", meanDice}});
    return 0;
  }
  std::cout << "Mean over " << folds.size() << " fold(s), " << model->info().method << ", " << protocol << ":";
  for (const core::BenchmarkOrgan& organ : b.organs)
    std::cout << "  " << organ.name << " " << std::fixed << std::setprecision(1)
              << diceJson[QString::fromStdString(organ.name)].toDouble();
  std::cout << "  | mean Dice " << meanDice << "\n";
  return 0;
}

}  // namespace protolabel::app
