#include "TestSupport.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace protolabel::test {

std::string dataPath(const std::string& relative) { return std::string(PROTOLABEL_TEST_DATA) + "/" + relative; }

std::string executablePath() { return PROTOLABEL_EXECUTABLE; }

PhysicalComparison compareInPhysicalSpace(const core::Volume& a, const core::Volume& b, double valueTolerance,
                                          double positionTolerance) {
  PhysicalComparison result;
  const core::Size3& s = a.size();
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i) {
        const core::Vec3 p = a.geometry().indexToPhysical({double(i), double(j), double(k)});
        const core::Vec3 q = b.geometry().physicalToIndex(p);
        const int64_t bi = std::llround(q[0]), bj = std::llround(q[1]), bk = std::llround(q[2]);
        const double offset = std::max({std::abs(q[0] - bi), std::abs(q[1] - bj), std::abs(q[2] - bk)});
        if (!b.contains(bi, bj, bk) || offset > positionTolerance) {
          ++result.outside;
          continue;
        }
        ++result.compared;
        const double d = std::abs(a.valueAt(i, j, k) - b.valueAt(bi, bj, bk));
        result.maxAbsDifference = std::max(result.maxAbsDifference, d);
        if (d > valueTolerance) ++result.mismatches;
      }
  return result;
}

double geometryDifference(const core::ImageGeometry& a, const core::ImageGeometry& b) {
  double d = 0;
  for (int i = 0; i < 3; ++i) {
    d = std::max(d, std::abs(a.spacing[i] - b.spacing[i]));
    d = std::max(d, std::abs(a.origin[i] - b.origin[i]));
  }
  for (int i = 0; i < 9; ++i) d = std::max(d, std::abs(a.direction[i] - b.direction[i]));
  return d;
}

bool sameVoxels(const core::Volume& a, const core::Volume& b) {
  return a.pixelType() == b.pixelType() && a.size() == b.size() &&
         std::memcmp(a.rawData(), b.rawData(), a.byteCount()) == 0;
}

int64_t countLabel(const core::LabelMap& labels, uint16_t value) {
  int64_t n = 0;
  for (int64_t i = 0, end = labels.voxels().voxelCount(); i < end; ++i) n += labels.labelAtLinear(i) == value;
  return n;
}

QString sampleImagePath() { return QString(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz"; }
QString sampleLabelsPath() { return QString(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz"; }

}  // namespace protolabel::test
