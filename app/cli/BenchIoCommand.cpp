// protolabel bench io [--dicom DIR] [--repeats N] [--json]
// Loads a DICOM series and a 512x512x300 int16 volume (.nii and .nii.gz), each next to the time to
// read the same bytes from disk (the physical limit), and times writing a label map as .nii.gz.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <random>

#include <fcntl.h>
#include <unistd.h>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/io/DicomSeries.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Benchmark.h"

namespace fs = std::filesystem;

namespace protolabel::app {

using inference::medianSeconds;

namespace {

// Reads every byte of `files` into memory: what any loader must at least do.
void readBytes(const std::vector<std::string>& files) {
  std::vector<char> buffer;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary | std::ios::ate);
    buffer.resize(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  }
}

// Drops the files' pages from the page cache (no root needed for clean pages), so the next read
// comes from the disk: the physical limit the targets refer to.
void evict(const std::vector<std::string>& files) {
  for (const std::string& f : files) {
    const int fd = ::open(f.c_str(), O_RDONLY);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

// A CT-like int16 volume: smooth anatomy-scale structure plus scanner noise, so compression behaves
// as on real data rather than on constant or random buffers.
core::Volume syntheticCt(const core::Size3& size) {
  core::ImageGeometry g;
  g.size = size;
  g.spacing = {0.8, 0.8, 1.5};
  core::Volume v(g, core::PixelType::Int16);
  int16_t* p = v.data<int16_t>();
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.f, 15.f);
  int64_t n = 0;
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i, ++n) {
        const double x = (i - size[0] / 2.0) / (size[0] / 2.0), y = (j - size[1] / 2.0) / (size[1] / 2.0);
        const double r = std::sqrt(x * x + y * y);
        const double body = r < 0.85 ? 40.0 + 300.0 * std::sin(6 * x) * std::cos(5 * y + k * 0.02) : -1000.0;
        p[n] = static_cast<int16_t>(body + noise(rng));
      }
  return v;
}

core::LabelMap syntheticLabels(const core::ImageGeometry& grid) {
  core::LabelMap labels(grid);
  const double centres[3][3] = {{180, 200, 100}, {330, 260, 150}, {250, 330, 220}};
  const double radius[3] = {70, 45, 35};
  for (int64_t k = 0; k < grid.size[2]; ++k)
    for (int64_t j = 0; j < grid.size[1]; ++j)
      for (int64_t i = 0; i < grid.size[0]; ++i)
        for (int l = 0; l < 3; ++l) {
          const double dx = i - centres[l][0], dy = j - centres[l][1], dz = k - centres[l][2];
          if (dx * dx + dy * dy + dz * dz < radius[l] * radius[l]) labels.set(i, j, k, uint16_t(l + 1));
        }
  return labels;
}

struct Row {
  std::string name;
  double seconds;
  double rawSeconds;  // 0 where there is no raw-read baseline
  double megabytes;
};

// Times `load` against reading the same bytes, once from disk (pages evicted before every run) and
// once from the page cache.
void measureLoad(const std::string& name, const std::vector<std::string>& files, int repeats,
                 const std::function<void()>& load, std::vector<Row>& rows) {
  uint64_t bytes = 0;
  for (const auto& f : files) bytes += fs::file_size(f);
  const auto cold = [&] { evict(files); };
  const double rawCold = medianSeconds(repeats, [&] { readBytes(files); }, cold);
  const double loadCold = medianSeconds(repeats, load, cold);
  rows.push_back({name + ", from disk", loadCold, rawCold, bytes / 1e6});
  readBytes(files);
  const double rawWarm = medianSeconds(repeats, [&] { readBytes(files); });
  const double loadWarm = medianSeconds(repeats, load);
  rows.push_back({name + ", page cache", loadWarm, rawWarm, bytes / 1e6});
}

}  // namespace

int runBench(const Args& args) {
  if (!args.empty() && args[0] == "engine") return runBenchEngine(Args(args.begin() + 1, args.end()));
  if (!args.empty() && args[0] == "gui") return runBenchGui(Args(args.begin() + 1, args.end()));
  if (!args.empty() && args[0] == "pipeline") return runBenchPipeline(Args(args.begin() + 1, args.end()));
  if (args.empty() || args[0] != "io") throw UsageError("bench takes a suite: io, engine, pipeline or gui");
  const CommandLine cl(Args(args.begin() + 1, args.end()), {"json"}, {"dicom", "repeats", "size-z"});
  const int repeats = std::max(1, cl.intOption("repeats").value_or(5));
  const int64_t depth = cl.intOption("size-z").value_or(300);
  std::vector<Row> rows;

  if (auto dicom = cl.option("dicom")) {
    const auto series = core::scanDicomSeries(*dicom);
    if (series.empty()) throw UsageError("no DICOM series in " + *dicom);
    const auto& files = series.front().files;
    measureLoad("DICOM " + std::to_string(files.size()) + " files, scan + load", files, repeats,
                [&] { core::readImage(*dicom, {}); }, rows);
  }

  const fs::path work = fs::temp_directory_path() / ("protolabel-bench-" + std::to_string(::getpid()));
  fs::create_directories(work);
  const core::Volume ct = syntheticCt({512, 512, depth});
  for (const char* ext : {".nii", ".nii.gz"}) {
    const std::string path = (work / (std::string("ct") + ext)).string();
    core::writeImage(ct, path);
    measureLoad(std::string("512x512x") + std::to_string(depth) + " int16 " + ext, {path}, repeats,
                [&] { core::readImage(path); }, rows);
  }
  const core::LabelMap labels = syntheticLabels(ct.geometry());
  const std::string labelPath = (work / "labels.nii.gz").string();
  const double write = medianSeconds(repeats, [&] { core::writeLabelMap(labels, ct.geometry(), labelPath); });
  rows.push_back({"write label map .nii.gz (3 labels)", write, 0, fs::file_size(labelPath) / 1e6});
  fs::remove_all(work);

  if (cl.flag("json")) {
    QJsonArray results;
    for (const Row& r : rows) {
      QJsonObject o;
      o["name"] = QString::fromStdString(r.name);
      o["median_s"] = r.seconds;
      o["megabytes"] = r.megabytes;
      if (r.rawSeconds > 0) {
        o["raw_read_s"] = r.rawSeconds;
        o["ratio_to_raw"] = r.seconds / r.rawSeconds;
      }
      results.append(o);
    }
    printJson(QJsonObject{{"suite", "io"}, {"repeats", repeats}, {"results", results}});
    return 0;
  }
  std::cout << "bench io: median of " << repeats << " runs; 'from disk' evicts the files from the page cache first\n";
  std::cout << std::left << std::setw(56) << "case" << std::right << std::setw(10) << "MB" << std::setw(12)
            << "median s" << std::setw(12) << "raw read s" << std::setw(10) << "ratio" << "\n";
  for (const Row& r : rows) {
    std::cout << std::left << std::setw(56) << r.name << std::right << std::fixed << std::setprecision(1)
              << std::setw(10) << r.megabytes << std::setprecision(3) << std::setw(12) << r.seconds;
    if (r.rawSeconds > 0)
      std::cout << std::setw(12) << r.rawSeconds << std::setprecision(2) << std::setw(9) << r.seconds / r.rawSeconds
                << "x";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace protolabel::app
