// protolabel evaluate --protocol interactive --benchmark abd-mri|card-mri|abd-ct|sample [--fold K]
//                     [--volumes ID,ID] [--shots 1|3] [--model M] [pipeline options] [--json]
// What a viewer user gets: per scan, every organ's own true mask on its middle slice (1 shot) or at
// 1/6, 1/2 and 5/6 of its extent (3 shots) as the examples, all organs segmented in one pass through
// the segmentation pipeline with its defaults, Dice over the whole volume. Also reported: the Dice
// over the slices that hold the organ (what EP1 scores, hiding leaks) and the voxels labelled on
// slices where the organ is absent.
#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "CommandLine.h"
#include "protolabel/core/WholeNumber.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "ModelLocation.h"
#include "PipelineArgs.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::app {

namespace {

struct Scan {
  std::string name;
  core::Volume image;
  core::LabelMap truth;  // on the image's grid
  segmentation::Modality modality = segmentation::Modality::Auto;
};

struct OrganScore {
  double dice = 0;          // whole volume
  double diceOnOrgan = 0;   // slices holding the organ (EP1's view)
  int64_t outside = 0;      // labelled voxels on slices without the organ
};

// Label volumes stored index-aligned with their images (as the benchmarks are read) on the image's grid.
core::LabelMap onGrid(const core::Volume& labels, const core::Volume& image, const std::string& name) {
  if (labels.size() != image.size())
    throw core::Error(core::ErrorCode::GridMismatch, "label and image sizes differ for " + name);
  core::Volume voxels(image.geometry(), core::PixelType::UInt16);
  const core::Volume converted = labels.convertedTo(core::PixelType::UInt16);
  std::copy_n(converted.data<uint16_t>(), converted.voxelCount(), voxels.data<uint16_t>());
  return core::LabelMap(std::move(voxels), {});
}

OrganScore score(const core::LabelMap& predicted, const core::LabelMap& truth, uint16_t organ) {
  const auto& size = truth.geometry().size;
  const int64_t n[3] = {size[0], size[1], size[2]};
  const uint16_t* p = predicted.voxels().data<uint16_t>();
  const uint16_t* t = truth.voxels().data<uint16_t>();
  OrganScore s;
  const std::vector<int64_t> holding = truth.slicesContaining(organ, core::Axis::Z);
  s.dice = core::dice3d(p, t, n, organ);
  s.diceOnOrgan = core::dice3d(p, t, n, organ, holding);
  std::vector<bool> holds(std::size_t(size[2]), false);
  for (int64_t z : holding) holds[std::size_t(z)] = true;
  const int64_t plane = size[0] * size[1];
  for (int64_t i = 0; i < truth.geometry().voxelCount(); ++i)
    if (p[i] == organ && !holds[std::size_t(i / plane)]) ++s.outside;
  return s;
}

// Per organ and slice: the true area / the predicted area (voxels), examples marked with '*'.
void printSliceAreas(const core::LabelMap& predicted, const core::LabelMap& truth,
                     const std::vector<core::BenchmarkOrgan>& organs, const segmentation::ExampleSet& examples) {
  const auto& size = truth.geometry().size;
  const int64_t plane = size[0] * size[1];
  const uint16_t* p = predicted.voxels().data<uint16_t>();
  const uint16_t* t = truth.voxels().data<uint16_t>();
  for (const auto& organ : organs) {
    std::set<int64_t> exampleSlices;
    for (const auto& l : examples.labels)
      if (l.label == organ.value)
        for (const auto& s : l.slices) exampleSlices.insert(s.slice);
    std::cout << "  " << organ.name << ":";
    for (int64_t z = 0; z < size[2]; ++z) {
      const int64_t tz = std::count(t + z * plane, t + (z + 1) * plane, organ.value);
      const int64_t pz = std::count(p + z * plane, p + (z + 1) * plane, organ.value);
      if (tz || pz) std::cout << " " << z << (exampleSlices.count(z) ? "*" : "") << ":" << tz << "/" << pz;
    }
    std::cout << "\n";
  }
}

std::vector<int> parseIds(const std::string& text) {
  std::vector<int> ids;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const std::optional<int64_t> value = core::parseWholeNumber(item, 0, std::numeric_limits<int>::max());
    if (!value) throw UsageError("--volumes expects comma-separated volume ids, not '" + text + "'");
    ids.push_back(int(*value));
  }
  return ids;
}

}  // namespace

std::string defaultBenchmarkData();

int runInteractiveEvaluation(const CommandLine& cl) {
  const std::string name = *cl.option("benchmark");
  const int shots = cl.intOption("shots").value_or(1);
  if (shots < 1 || shots > 9) throw UsageError("--shots expects 1 to 9");
  segmentation::PipelineOptions options = pipelineOptionsFromArgs(cl);
  inference::setCpuThreads(cl.intOption("threads").value_or(2));

  // The scans and the organs scored on them.
  std::vector<core::BenchmarkOrgan> organs;
  std::vector<std::function<Scan()>> loaders;
  if (name == "sample") {
    organs = {{5, "liver"}, {1, "spleen"}, {2, "right kidney"}, {3, "left kidney"}};
    loaders.push_back([] {
      const SamplePaths paths = samplePaths();
      if (paths.image.empty()) throw core::Error(core::ErrorCode::FileNotFound, "the bundled sample is not installed");
      Scan s;
      s.name = "sample";
      s.image = core::readImage(paths.image).volume;
      s.truth = onGrid(core::readLabelMap(paths.labels).voxels(), s.image, s.name);
      return s;
    });
  } else {
    const core::FewShotBenchmark b = core::loadFewShotBenchmark(name, cl.option("data", defaultBenchmarkData()));
    organs = b.organs;
    std::vector<int> ids = cl.option("volumes") ? parseIds(*cl.option("volumes")) : b.foldVolumes(cl.intOption("fold").value_or(0));
    for (int id : ids)
      loaders.push_back([b, id] {
        Scan s;
        s.name = b.name + " " + std::to_string(id);
        s.image = core::readImage(b.imagePath(id)).volume;
        s.truth = onGrid(core::readImage(b.labelPath(id)).volume, s.image, s.name);
        s.modality = segmentation::parseModality(b.modality);
        return s;
      });
  }
  const auto model = loadModelFromArgs(cl);
  const segmentation::Pipeline pipeline(model);
  std::vector<uint16_t> values;
  for (const auto& organ : organs) values.push_back(organ.value);

  std::map<uint16_t, std::vector<OrganScore>> scores;
  std::map<uint16_t, std::vector<double>> exampleDice, exampleDecisionDice;
  std::vector<double> seconds;
  QJsonArray scansJson;
  const bool json = cl.flag("json");
  for (const auto& load : loaders) {
    const Scan scan = load();
    segmentation::PipelineInput input;
    input.image = &scan.image;
    input.examples = segmentation::examplesFromLabels(scan.truth, values, core::Axis::Z, shots);
    segmentation::PipelineOptions o = options;
    if (o.modality == segmentation::Modality::Auto) o.modality = scan.modality;
    const auto start = std::chrono::steady_clock::now();
    const segmentation::PipelineResult result = pipeline.run(input, o);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    QJsonObject scanJson{{"scan", QString::fromStdString(scan.name)}, {"seconds", seconds.back()}};
    if (!json) std::cout << std::left << std::setw(14) << scan.name << std::right;
    for (const auto& organ : organs) {
      const OrganScore s = score(result.labels, scan.truth, organ.value);
      scores[organ.value].push_back(s);
      const auto of = [&](const std::map<uint16_t, double>& m) { return m.count(organ.value) ? m.at(organ.value) : 0.0; };
      const double own = of(result.exampleDice), decided = of(result.exampleDecisionDice);
      exampleDice[organ.value].push_back(own);
      exampleDecisionDice[organ.value].push_back(decided);
      scanJson[QString::fromStdString(organ.name)] =
          QJsonObject{{"dice", 100 * s.dice}, {"dice_on_organ_slices", 100 * s.diceOnOrgan},
                      {"voxels_outside", qint64(s.outside)}, {"network_dice_on_example", 100 * own},
                      {"pipeline_dice_on_example", 100 * decided}};
      if (!json)
        std::cout << "  " << organ.name << " " << std::fixed << std::setprecision(1) << 100 * s.dice << " ("
                  << 100 * s.diceOnOrgan << ", +" << s.outside << ", ex " << 100 * own << "/" << 100 * decided << ")";
    }
    if (!json) std::cout << "  " << std::setprecision(1) << seconds.back() << " s" << std::endl;
    if (cl.flag("per-slice") && !json) printSliceAreas(result.labels, scan.truth, organs, input.examples);
    scansJson.append(scanJson);
  }

  QJsonObject diceJson, onOrganJson, exampleJson, decidedJson;
  double total = 0, totalOnOrgan = 0, totalExample = 0, totalDecided = 0;
  const auto meanOf = [](const std::vector<double>& v) { return 100 * std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
  for (const auto& organ : organs) {
    const auto& list = scores[organ.value];
    double d = 0, e = 0;
    for (const auto& s : list) d += s.dice, e += s.diceOnOrgan;
    d = 100 * d / double(list.size());
    e = 100 * e / double(list.size());
    const double x = meanOf(exampleDice[organ.value]), decided = meanOf(exampleDecisionDice[organ.value]);
    diceJson[QString::fromStdString(organ.name)] = d;
    onOrganJson[QString::fromStdString(organ.name)] = e;
    exampleJson[QString::fromStdString(organ.name)] = x;
    decidedJson[QString::fromStdString(organ.name)] = decided;
    total += d;
    totalOnOrgan += e;
    totalExample += x;
    totalDecided += decided;
  }
  const double mean = total / double(organs.size()), meanOnOrgan = totalOnOrgan / double(organs.size());
  const double meanExample = totalExample / double(organs.size()), meanDecided = totalDecided / double(organs.size());
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double medianSeconds = sorted.empty() ? 0 : sorted[sorted.size() / 2];
  if (json) {
    printJson(QJsonObject{{"benchmark", QString::fromStdString(name)},
                          {"protocol", "interactive"},
                          {"shots", shots},
                          {"scans", scansJson},
                          {"dice", diceJson},
                          {"dice_on_organ_slices", onOrganJson},
                          {"mean_dice", mean},
                          {"mean_dice_on_organ_slices", meanOnOrgan},
                          {"network_dice_on_example", exampleJson},
                          {"mean_network_dice_on_example", meanExample},
                          {"pipeline_dice_on_example", decidedJson},
                          {"mean_pipeline_dice_on_example", meanDecided},
                          {"median_seconds", medianSeconds}});
    return 0;
  }
  std::cout << "Mean over " << loaders.size() << " scan(s), interactive, " << shots << " shot(s):";
  for (const auto& organ : organs)
    std::cout << "  " << organ.name << " " << std::fixed << std::setprecision(1)
              << diceJson[QString::fromStdString(organ.name)].toDouble();
  std::cout << "  | mean Dice " << mean << " (on organ slices " << meanOnOrgan << "; on its example slice: network "
            << meanExample << ", pipeline " << meanDecided << ")  median " << medianSeconds << " s per scan\n";
  return 0;
}

}  // namespace protolabel::app
