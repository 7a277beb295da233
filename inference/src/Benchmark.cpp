#include "protolabel/inference/Benchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "protolabel/inference/Engine.h"

namespace protolabel::inference {

double medianSeconds(int repeats, const std::function<void()>& work, const std::function<void()>& prepare) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    prepare();
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

namespace {

struct SyntheticScan {
  std::vector<float> voxels;
  std::vector<uint16_t> labels;
  VolumeView view;
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

LabelSupport supportFor(const SyntheticScan& scan, uint16_t label, int supports) {
  const auto& size = scan.view.size;
  std::vector<int64_t> containing;
  for (int64_t k = 0; k < size[2]; ++k) {
    const auto* slice = scan.labels.data() + k * size[0] * size[1];
    if (std::count(slice, slice + size[0] * size[1], label)) containing.push_back(k);
  }
  LabelSupport support;
  support.label = label;
  for (int s = 0; s < supports; ++s) {
    const int64_t k = containing[std::size_t((s + 0.5) / supports * double(containing.size()))];
    SupportSlice slice{k, std::vector<uint8_t>(std::size_t(size[0] * size[1]))};
    const auto* labels = scan.labels.data() + k * size[0] * size[1];
    for (std::size_t i = 0; i < slice.mask.size(); ++i) slice.mask[i] = labels[i] == label;
    support.slices.push_back(std::move(slice));
  }
  return support;
}

}  // namespace

std::vector<EngineBenchmarkRow> runEngineBenchmark(const EngineBenchmarkOptions& options) {
  const SyntheticScan scan = syntheticScan(256, 256, 100);
  std::vector<EngineBenchmarkRow> rows;
  for (const std::string& preset : options.presets) {
    auto model = Model::create(preset, 2025, options.device);
    const bool cuda = model->device() == Device::Cuda;
    Engine engine(model);
    SegmentationRequest request;
    request.query = scan.view;
    request.labels = {supportFor(scan, 1, 1)};
    const int64_t n = std::max(1, options.slicesPerRun);
    // Per-slice cost from the engine's own timing: with the cache a query slice costs its encoder and
    // decoders; without it (the reference) the support is re-encoded for every query slice as well.
    auto perSlice = [&](bool cache) {
      request.cacheSupport = cache;
      request.querySlices.clear();
      for (int64_t q = 0; q < n; ++q) request.querySlices.push_back(40 + q);
      const SegmentationTiming t = engine.segment(request).timing;
      return (cache ? t.query : t.query + t.support) / double(n);
    };
    perSlice(true);  // warm-up: allocator, oneDNN or cuDNN kernel selection
    std::vector<double> cached, uncached;
    for (int r = 0; r < options.repeats; ++r) {
      cached.push_back(perSlice(true));
      uncached.push_back(perSlice(false));
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    rows.push_back({preset, "per query slice, support cached", median(cached)});
    rows.push_back({preset, "per query slice, support re-encoded (reference)", median(uncached)});

    if (preset != "paper" || cuda || options.paperVolumeOnCpu) {
      request.labels = {supportFor(scan, 1, 3), supportFor(scan, 2, 3), supportFor(scan, 3, 3)};
      request.querySlices.clear();
      request.cacheSupport = true;
      rows.push_back({preset, "256x256x100 volume, 3 labels, end to end",
                      medianSeconds(cuda ? options.repeats : 1, [&] { engine.segment(request); })});
    }
  }
  return rows;
}

}  // namespace protolabel::inference
