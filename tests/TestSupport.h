#pragma once
// Helpers shared by the test suites: where the shared data lives, and comparing two images voxel by
// voxel in physical space (so files with different axis orders or flips can be compared).
#include <QString>

#include <cstdint>
#include <string>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"

namespace protolabel::test {

std::string dataPath(const std::string& relative);  // under ../shared/data
std::string executablePath();                       // the protolabel binary under test

struct PhysicalComparison {
  int64_t compared = 0;
  int64_t outside = 0;       // voxels of `a` whose centre falls outside `b`
  int64_t mismatches = 0;    // values differing by more than the tolerance
  double maxAbsDifference = 0;
};

// For every voxel of `a`, looks up the voxel of `b` at the same physical point (nearest centre) and
// compares values. `positionTolerance` (in voxels) bounds how far that point may be from b's centre.
PhysicalComparison compareInPhysicalSpace(const core::Volume& a, const core::Volume& b, double valueTolerance = 0,
                                          double positionTolerance = 0.05);

// Max absolute difference of the geometry fields (spacing, origin, direction).
double geometryDifference(const core::ImageGeometry& a, const core::ImageGeometry& b);

bool sameVoxels(const core::Volume& a, const core::Volume& b);

// The voxels of `labels` holding `value`.
int64_t countLabel(const core::LabelMap& labels, uint16_t value);

// The bundled sample CT and its manual organ labels (spleen 1, kidneys 2 and 3, liver 5).
QString sampleImagePath();
QString sampleLabelsPath();

}  // namespace protolabel::test
