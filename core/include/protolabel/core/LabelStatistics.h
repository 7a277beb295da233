#pragma once
// Per-label measurements of an image: voxel count, volume, intensity statistics and extent of each
// label value present in a label map on the image's grid. Shared by the Statistics panel and the
// `stats` command, with one CSV layout for both.
#include <cstdint>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"

namespace protolabel::core {

struct LabelStatistics {
  uint16_t value = 0;
  std::string name;     // from the label table; "Label N" where the table has no (named) entry
  int64_t voxels = 0;
  double volumeMl = 0;  // voxels x spacing product (mm^3) / 1000
  // Image intensity inside the label. `stddev` is the population standard deviation (divides by
  // the voxel count, not count - 1), as ITK-SNAP and 3D Slicer's segment statistics report.
  double mean = 0, stddev = 0, min = 0, max = 0;
  IndexBox extent;      // voxel-index bounding box, inclusive
  Vec3 extentMm{0, 0, 0};  // physical size of that box along the voxel axes i, j, k: (hi - lo + 1) x spacing
};

// One entry per non-zero value present in `labels`, in increasing order of value, from a single
// pass over the voxels without copying either volume. `image` may hold any pixel type; `labels`
// must lie on its grid, else Error(GridMismatch).
std::vector<LabelStatistics> computeLabelStatistics(const Volume& image, const LabelMap& labels);

// CSV with a header line and one row per label (comma-separated, '.' decimals whatever the locale,
// names quoted where needed), ending in a newline.
std::string statisticsCsvHeader();
std::string statisticsCsvRow(const LabelStatistics& s);
std::string statisticsToCsv(const std::vector<LabelStatistics>& statistics);
// Writes statisticsToCsv() to `path` atomically (a failed write leaves the old file in place).
void writeStatisticsCsv(const std::vector<LabelStatistics>& statistics, const std::string& path);

}  // namespace protolabel::core
