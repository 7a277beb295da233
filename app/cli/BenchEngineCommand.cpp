// protolabel bench engine [--presets lite,paper] [--device auto|cpu|cuda] [--threads N] [--repeats N]
//                         [--paper-volume] [--json]
// Per-query-slice latency with and without the support cache, and a whole 256x256x100 volume with 3
// labels end to end, on a synthetic abdomen-like volume (timings do not depend on the weights).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "BenchSupport.h"
#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "protolabel/inference/Engine.h"
#include "protolabel/inference/Runtime.h"

namespace protolabel::app {

namespace {

struct SyntheticScan {
  std::vector<float> voxels;
  std::vector<uint16_t> labels;
  inference::VolumeView view;
};

// Three ellipsoid "organs" of different brightness in a noisy body, 256x256x100.
SyntheticScan syntheticScan(int64_t nx, int64_t ny, int64_t nz) {
  SyntheticScan s;
  s.voxels.resize(std::size_t(nx * ny * nz));
  s.labels.resize(s.voxels.size());
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.f, 20.f);
  const double organs[3][7] = {{0.35, 0.45, 0.5, 0.22, 0.18, 0.35, 160},
                               {0.68, 0.55, 0.45, 0.10, 0.12, 0.25, 220},
                               {0.55, 0.30, 0.6, 0.12, 0.08, 0.20, 90}};
  std::size_t n = 0;
  for (int64_t k = 0; k < nz; ++k)
    for (int64_t j = 0; j < ny; ++j)
      for (int64_t i = 0; i < nx; ++i, ++n) {
        const double x = double(i) / nx, y = double(j) / ny, z = double(k) / nz;
        const double body = std::pow((x - 0.5) / 0.45, 2) + std::pow((y - 0.5) / 0.38, 2);
        float v = body < 1 ? 40.f : -1000.f;
        for (int o = 0; o < 3; ++o) {
          const double* e = organs[o];
          if (std::pow((x - e[0]) / e[3], 2) + std::pow((y - e[1]) / e[4], 2) + std::pow((z - e[2]) / e[5], 2) < 1) {
            v = float(e[6]);
            s.labels[n] = uint16_t(o + 1);
          }
        }
        s.voxels[n] = v + noise(rng);
      }
  s.view.voxels = s.voxels.data();
  s.view.size = {nx, ny, nz};
  s.view.spacing = {1.5, 1.5, 3.0};
  return s;
}

inference::LabelSupport supportFor(const SyntheticScan& scan, uint16_t label, int supports) {
  const auto& size = scan.view.size;
  std::vector<int64_t> containing;
  for (int64_t k = 0; k < size[2]; ++k) {
    const auto* slice = scan.labels.data() + k * size[0] * size[1];
    if (std::count(slice, slice + size[0] * size[1], label)) containing.push_back(k);
  }
  inference::LabelSupport support;
  support.label = label;
  for (int s = 0; s < supports; ++s) {
    const int64_t k = containing[std::size_t((s + 0.5) / supports * double(containing.size()))];
    inference::SupportSlice slice{k, std::vector<uint8_t>(std::size_t(size[0] * size[1]))};
    const auto* labels = scan.labels.data() + k * size[0] * size[1];
    for (std::size_t i = 0; i < slice.mask.size(); ++i) slice.mask[i] = labels[i] == label;
    support.slices.push_back(std::move(slice));
  }
  return support;
}

struct Row {
  std::string preset, name;
  double seconds;
};

}  // namespace

int runBenchEngine(const Args& args) {
  const CommandLine cl(args, {"json", "paper-volume"}, {"presets", "device", "threads", "repeats", "slices"});
  const int repeats = std::max(1, cl.intOption("repeats").value_or(3));
  const int64_t perSlice = std::max(1, cl.intOption("slices").value_or(4));
  inference::setCpuThreads(cl.intOption("threads").value_or(2));
  const inference::Device device = inference::parseDevice(cl.option("device", "auto"));

  const SyntheticScan scan = syntheticScan(256, 256, 100);
  std::vector<Row> rows;
  std::stringstream presets(cl.option("presets", "lite,paper"));
  for (std::string preset; std::getline(presets, preset, ',');) {
    auto model = inference::Model::create(preset, 2025, device);
    const bool cuda = model->device() == inference::Device::Cuda;
    inference::Engine engine(model);
    inference::SegmentationRequest request;
    request.query = scan.view;
    request.labels = {supportFor(scan, 1, 1)};
    auto run = [&](int64_t slices, bool cache) {
      request.cacheSupport = cache;
      request.querySlices.clear();
      for (int64_t q = 0; q < slices; ++q) request.querySlices.push_back(40 + q);
      engine.segment(request);
    };
    run(1, true);  // warm-up: allocator, oneDNN or cuDNN kernel selection
    // Cached: the marginal cost of one more query slice once the support is prepared.
    const double cachedN = medianSeconds(repeats, [&] { run(perSlice, true); });
    const double cached2N = medianSeconds(repeats, [&] { run(2 * perSlice, true); });
    const double uncached = medianSeconds(repeats, [&] { run(perSlice, false); });
    const double cachedPerSlice = std::max(0.0, cached2N - cachedN) / double(perSlice);
    rows.push_back({preset, "per query slice, support cached", cachedPerSlice});
    rows.push_back({preset, "per query slice, support re-encoded (reference)", uncached / double(perSlice)});

    if (preset == "lite" || cuda || cl.flag("paper-volume")) {
      request.labels = {supportFor(scan, 1, 3), supportFor(scan, 2, 3), supportFor(scan, 3, 3)};
      request.querySlices.clear();
      request.cacheSupport = true;
      const double volume = medianSeconds(cuda ? repeats : 1, [&] { engine.segment(request); });
      rows.push_back({preset, "256x256x100 volume, 3 labels, end to end", volume});
    }
  }

  if (cl.flag("json")) {
    QJsonArray results;
    for (const Row& r : rows)
      results.append(QJsonObject{{"preset", QString::fromStdString(r.preset)},
                                 {"name", QString::fromStdString(r.name)},
                                 {"median_s", r.seconds}});
    printJson(QJsonObject{{"suite", "engine"},
                          {"device", inference::deviceName(device)},
                          {"threads", inference::queryRuntime().cpuThreads},
                          {"results", results}});
    return 0;
  }
  std::cout << "bench engine: medians of " << repeats << " runs, " << inference::queryRuntime().cpuThreads
            << " CPU threads, device " << inference::deviceName(device) << "\n";
  for (const Row& r : rows)
    std::cout << std::left << std::setw(8) << r.preset << std::setw(52) << r.name << std::right << std::fixed
              << std::setprecision(3) << std::setw(10) << r.seconds << " s\n";
  for (std::size_t i = 0; i + 1 < rows.size(); ++i)
    if (rows[i].preset == rows[i + 1].preset && rows[i].name.find("cached") != std::string::npos &&
        rows[i + 1].name.find("re-encoded") != std::string::npos)
      std::cout << rows[i].preset << ": cached / uncached per-slice cost = " << std::setprecision(2)
                << 100.0 * rows[i].seconds / rows[i + 1].seconds << "%\n";
  return 0;
}

}  // namespace protolabel::app
