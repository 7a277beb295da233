#include "protolabel/core/LabelStatistics.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <locale>
#include <sstream>

#include "io/AtomicWrite.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

struct Accumulator {
  uint16_t value = 0;
  int64_t count = 0;
  // Sums of (x - shift): the first voxel's value as shift keeps the variance exact when the
  // intensities sit far from zero (sum-of-squares minus squared mean would cancel digits).
  double shift = 0, sum = 0, sumSquares = 0;
  double min = 0, max = 0;
  int64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
};

template <class T, class L>
std::vector<Accumulator> accumulate(const T* image, const L* labels, const Size3& size) {
  // Label value -> index into `found`; dense, so each voxel costs one lookup.
  std::vector<int32_t> slotOf(std::size_t(std::numeric_limits<L>::max()) + 1, -1);
  std::vector<Accumulator> found;
  int64_t index = 0;
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i, ++index) {
        const L label = labels[index];
        if (label == 0) continue;
        const double x = static_cast<double>(image[index]);
        int32_t& slot = slotOf[label];
        if (slot < 0) {
          slot = int32_t(found.size());
          Accumulator& a = found.emplace_back();
          a.value = label;
          a.shift = a.min = a.max = x;
          a.lo[0] = a.hi[0] = i, a.lo[1] = a.hi[1] = j, a.lo[2] = k;
        }
        Accumulator& a = found[std::size_t(slot)];
        ++a.count;
        const double d = x - a.shift;
        a.sum += d;
        a.sumSquares += d * d;
        a.min = std::min(a.min, x);
        a.max = std::max(a.max, x);
        a.lo[0] = std::min(a.lo[0], i);
        a.hi[0] = std::max(a.hi[0], i);
        a.lo[1] = std::min(a.lo[1], j);
        a.hi[1] = std::max(a.hi[1], j);
        a.hi[2] = k;  // k only grows, and lo[2] is the first k seen
      }
  return found;
}

std::string nameOf(const LabelTable& table, uint16_t value) {
  const LabelEntry* entry = table.find(value);
  return entry && !entry->name.empty() ? entry->name : "Label " + std::to_string(value);
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace

std::vector<LabelStatistics> computeLabelStatistics(const Volume& image, const LabelMap& labels) {
  if (!labels.geometry().sameGrid(image.geometry()))
    throw Error(ErrorCode::GridMismatch, "The labels do not lie on the image's grid (labels: " +
                                             labels.geometry().describe() + "; image: " + image.geometry().describe() +
                                             "). Resample them onto the image first.");
  const ImageGeometry& grid = image.geometry();
  const std::vector<Accumulator> found = dispatchPixelType(image.pixelType(), [&](auto imageTag) {
    using T = decltype(imageTag);
    const T* voxels = image.data<T>();
    if (labels.pixelType() == PixelType::UInt8)
      return accumulate(voxels, labels.voxels().data<uint8_t>(), grid.size);
    return accumulate(voxels, labels.voxels().data<uint16_t>(), grid.size);
  });

  const double voxelMm3 = grid.spacing[0] * grid.spacing[1] * grid.spacing[2];
  std::vector<LabelStatistics> result;
  result.reserve(found.size());
  for (const Accumulator& a : found) {
    LabelStatistics& s = result.emplace_back();
    s.value = a.value;
    s.name = nameOf(labels.table(), a.value);
    s.voxels = a.count;
    s.volumeMl = double(a.count) * voxelMm3 / 1000.0;
    const double n = double(a.count), meanOffset = a.sum / n;
    s.mean = a.shift + meanOffset;
    s.stddev = std::sqrt(std::max(0.0, a.sumSquares / n - meanOffset * meanOffset));
    s.min = a.min;
    s.max = a.max;
    for (std::size_t axis = 0; axis < 3; ++axis) {
      s.extent.lo[axis] = a.lo[axis];
      s.extent.hi[axis] = a.hi[axis];
      s.extentMm[axis] = double(a.hi[axis] - a.lo[axis] + 1) * grid.spacing[axis];
    }
  }
  std::sort(result.begin(), result.end(), [](const auto& x, const auto& y) { return x.value < y.value; });
  return result;
}

std::string statisticsCsvHeader() {
  return "value,name,voxels,volume_ml,mean,std,min,max,lo_i,lo_j,lo_k,hi_i,hi_j,hi_k,size_i_mm,size_j_mm,size_k_mm";
}

std::string statisticsCsvRow(const LabelStatistics& s) {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // '.' decimals even where the application set a locale
  out << std::setprecision(10) << s.value << ',' << csvField(s.name) << ',' << s.voxels << ',' << s.volumeMl << ','
      << s.mean << ',' << s.stddev << ',' << s.min << ',' << s.max;
  for (int64_t v : s.extent.lo) out << ',' << v;
  for (int64_t v : s.extent.hi) out << ',' << v;
  for (double v : s.extentMm) out << ',' << v;
  return out.str();
}

std::string statisticsToCsv(const std::vector<LabelStatistics>& statistics) {
  std::string csv = statisticsCsvHeader() + "\n";
  for (const LabelStatistics& s : statistics) csv += statisticsCsvRow(s) + "\n";
  return csv;
}

void writeStatisticsCsv(const std::vector<LabelStatistics>& statistics, const std::string& path) {
  checkWriteTarget(path, {});
  writeTextAtomically(path, statisticsToCsv(statistics));
}

}  // namespace protolabel::core
