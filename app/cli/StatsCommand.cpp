// protolabel stats --image I --labels L [--json | --csv]
// Per-label voxel count, volume, intensity statistics and extent of a label map over its image.
#include <cstdio>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "protolabel/core/LabelStatistics.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"

namespace protolabel::app {

namespace {

QJsonObject toJson(const core::LabelStatistics& s) {
  QJsonObject extent{{"lo", app::toJson(core::Size3{s.extent.lo[0], s.extent.lo[1], s.extent.lo[2]})},
                     {"hi", app::toJson(core::Size3{s.extent.hi[0], s.extent.hi[1], s.extent.hi[2]})},
                     {"size_mm", app::toJson(s.extentMm)}};
  return QJsonObject{{"value", int(s.value)},     {"name", QString::fromStdString(s.name)},
                     {"voxels", qint64(s.voxels)}, {"volume_ml", s.volumeMl},
                     {"mean", s.mean},             {"std", s.stddev},
                     {"min", s.min},               {"max", s.max},
                     {"extent", extent}};
}

// Column-aligned text for a terminal; names are cut to keep the columns straight.
void printTable(const std::vector<core::LabelStatistics>& stats) {
  if (stats.empty()) {
    std::cout << "No labelled voxels.\n";
    return;
  }
  std::printf("%6s  %-24s %10s %11s %9s %9s %8s %8s  %s\n", "Value", "Name", "Voxels", "Volume mL", "Mean", "Std",
              "Min", "Max", "Extent (voxels) / size (mm)");
  for (const core::LabelStatistics& s : stats) {
    const std::string name = s.name.size() > 24 ? s.name.substr(0, 23) + "~" : s.name;
    std::printf("%6u  %-24s %10lld %11.3f %9.2f %9.2f %8.6g %8.6g  [%lld..%lld, %lld..%lld, %lld..%lld] %.1f x %.1f x %.1f\n",
                unsigned(s.value), name.c_str(), static_cast<long long>(s.voxels), s.volumeMl, s.mean, s.stddev,
                s.min, s.max, static_cast<long long>(s.extent.lo[0]), static_cast<long long>(s.extent.hi[0]),
                static_cast<long long>(s.extent.lo[1]), static_cast<long long>(s.extent.hi[1]),
                static_cast<long long>(s.extent.lo[2]), static_cast<long long>(s.extent.hi[2]), s.extentMm[0],
                s.extentMm[1], s.extentMm[2]);
  }
  std::fflush(stdout);
}

}  // namespace

int runStats(const Args& args) {
  const CommandLine cl(args, {"json", "csv"}, {"image", "labels", "series"});
  const auto image = cl.option("image"), labels = cl.option("labels");
  if (!image || !labels) throw UsageError("stats needs --image and --labels");
  if (!cl.positional().empty()) throw UsageError("stats takes no positional arguments");
  if (cl.flag("json") && cl.flag("csv")) throw UsageError("choose one of --json and --csv");

  core::ReadOptions options;
  options.seriesIndex = cl.intOption("series");
  const core::LoadedImage loaded = core::readImage(*image, options);
  for (const std::string& w : loaded.warnings) std::cerr << "Warning: " << w << "\n";
  const std::vector<core::LabelStatistics> stats =
      core::computeLabelStatistics(loaded.volume, core::readLabelMap(*labels));

  if (cl.flag("csv")) {
    std::cout << core::statisticsToCsv(stats);
  } else if (cl.flag("json")) {
    QJsonArray rows;
    for (const core::LabelStatistics& s : stats) rows.append(toJson(s));
    printJson(QJsonObject{{"image", QString::fromStdString(*image)},
                          {"labels_file", QString::fromStdString(*labels)},
                          {"spacing", app::toJson(loaded.volume.geometry().spacing)},
                          {"std", "population"},
                          {"labels", rows}});
  } else {
    printTable(stats);
  }
  return 0;
}

}  // namespace protolabel::app
