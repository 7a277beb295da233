// protolabel bench pipeline [--size X,Y,Z] [--repeats N] [--threads N] [--adapt SECONDS] [--model M] [--json]
// The segmentation pipeline as the viewer runs it, timed on a real scan: the bundled sample CT
// resampled to 256x256x100 (trilinear; labels nearest), its liver, spleen and kidneys each given
// one example slice (their middle), all four segmented in one pass. Reports the median wall time
// with adaptation off and with the default adaptation, and the process's peak resident memory.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "ModelLocation.h"
#include "RuntimeReport.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::app {

namespace {

// `image` resampled onto `size` voxels over the same physical extent; labels by nearest neighbour.
template <class T, bool Nearest>
core::Volume resampled(const core::Volume& image, const core::Size3& size) {
  const core::Size3& in = image.size();
  core::ImageGeometry g = image.geometry();
  for (int a = 0; a < 3; ++a) g.spacing[std::size_t(a)] *= double(in[std::size_t(a)]) / double(size[std::size_t(a)]);
  g.size = size;
  core::Volume out(g, image.pixelType());
  const T* src = image.data<T>();
  T* dst = out.data<T>();
  auto at = [&](int64_t i, int64_t j, int64_t k) { return double(src[i + in[0] * (j + in[1] * k)]); };
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i) {
        // Voxel centres map onto voxel centres.
        double p[3] = {(i + 0.5) * double(in[0]) / double(size[0]) - 0.5, (j + 0.5) * double(in[1]) / double(size[1]) - 0.5,
                       (k + 0.5) * double(in[2]) / double(size[2]) - 0.5};
        int64_t lo[3];
        double f[3];
        for (int a = 0; a < 3; ++a) {
          p[a] = std::clamp(p[a], 0.0, double(in[std::size_t(a)] - 1));
          lo[a] = std::min<int64_t>(int64_t(p[a]), in[std::size_t(a)] - 2 < 0 ? 0 : in[std::size_t(a)] - 2);
          f[a] = p[a] - double(lo[a]);
        }
        double v;
        if (Nearest) {
          v = at(std::lround(p[0]), std::lround(p[1]), std::lround(p[2]));
        } else {
          v = 0;
          for (int c = 0; c < 8; ++c) {
            const int dx = c & 1, dy = (c >> 1) & 1, dz = (c >> 2) & 1;
            const double w = (dx ? f[0] : 1 - f[0]) * (dy ? f[1] : 1 - f[1]) * (dz ? f[2] : 1 - f[2]);
            if (w > 0) v += w * at(lo[0] + dx, lo[1] + dy, lo[2] + dz);
          }
        }
        dst[i + size[0] * (j + size[1] * k)] = T(std::lround(v));
      }
  return out;
}

}  // namespace

int runBenchPipeline(const Args& args) {
  const CommandLine cl(args, {"json"}, {"size", "repeats", "threads", "adapt", "model", "device"});
  const auto sizeList = cl.intListOption("size", 16, 2048).value_or(std::vector<int64_t>{256, 256, 100});
  if (sizeList.size() != 3) throw UsageError("--size expects X,Y,Z");
  const core::Size3 size{sizeList[0], sizeList[1], sizeList[2]};
  const int repeats = int(cl.intOption("repeats", 1, 100).value_or(3));
  inference::setCpuThreads(int(cl.intOption("threads", 1, 1024).value_or(2)));
  const double adaptSeconds = cl.numberOption("adapt", 0, 3600).value_or(segmentation::kDefaultAdaptSeconds);

  const SamplePaths sample = samplePaths();
  if (sample.image.empty()) throw UsageError("the bundled sample was not found next to the executable");
  // Stored as a CT scanner stores it (int16), so the peak memory is what `segment` needs for such a scan.
  const core::Volume image =
      resampled<int16_t, false>(core::readImage(sample.image).volume.convertedTo(core::PixelType::Int16), size);
  segmentation::PipelineInput input;
  input.image = &image;
  {
    const core::LabelMap labels(
        resampled<uint16_t, true>(core::readLabelMap(sample.labels).voxels().convertedTo(core::PixelType::UInt16), size),
        {});
    input.examples = segmentation::examplesFromLabels(labels, {5, 1, 2, 3}, core::Axis::Z, 1);
  }

  const auto model = loadModelFromArgs(cl);
  const segmentation::Pipeline pipeline(model);
  struct Row {
    std::string name;
    double median;
    int64_t adaptIterations;
  };
  std::vector<Row> rows;
  for (const double adapt : {0.0, adaptSeconds}) {
    segmentation::PipelineOptions options;
    options.adaptSeconds = adapt;
    std::vector<double> seconds;
    int64_t iterations = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      iterations = pipeline.run(input, options).adaptIterations;
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::ostringstream name;
    name << size[0] << "x" << size[1] << "x" << size[2] << ", 4 structures, "
         << (adapt > 0 ? "adaptation " + std::to_string(int(adapt)) + " s budget" : std::string("no adaptation"));
    rows.push_back({name.str(), seconds[seconds.size() / 2], iterations});
  }
  const double peak = peakResidentMb();
  const int threads = inference::queryRuntime().cpuThreads;
  if (cl.flag("json")) {
    QJsonArray results;
    for (const Row& r : rows)
      results.append(QJsonObject{{"name", QString::fromStdString(r.name)}, {"median_s", r.median},
                                 {"adapt_iterations", qint64(r.adaptIterations)}});
    printJson(QJsonObject{{"suite", "pipeline"}, {"threads", threads}, {"peak_resident_mb", peak}, {"results", results}});
    return 0;
  }
  std::cout << "bench pipeline: medians of " << repeats << " runs, " << threads << " CPU threads, the sample CT resampled\n";
  for (const Row& r : rows) {
    std::cout << std::left << std::setw(56) << r.name << std::right << std::fixed << std::setprecision(2) << std::setw(9)
              << r.median << " s";
    if (r.adaptIterations) std::cout << "  (" << r.adaptIterations << " adaptation steps)";
    std::cout << "\n";
  }
  std::cout << "peak resident memory " << std::setprecision(0) << peak << " MB\n";
  return 0;
}

}  // namespace protolabel::app
