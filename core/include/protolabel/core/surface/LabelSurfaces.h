#pragma once
// Triangle surfaces of the labels of a label map, in physical LPS millimetres: what the 3D view shows
// and what mesh export writes.
#include <cstdint>
#include <functional>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

struct LabelSurface {
  uint16_t value = 0;
  std::vector<float> points;        // x,y,z triples in physical LPS mm
  std::vector<float> normals;       // one unit normal per point, pointing out of the label
  std::vector<uint32_t> triangles;  // point index triples, counter-clockwise seen from outside

  std::size_t pointCount() const { return points.size() / 3; }
  std::size_t triangleCount() const { return triangles.size() / 3; }
};

struct SurfaceOptions {
  int smoothingIterations = 15;  // windowed-sinc iterations; 0 keeps the voxel staircase
  double passBand = 0.1;         // windowed-sinc pass band (0..2): smaller smooths more
  double decimation = 0.0;       // fraction of triangles to remove (0..0.95); 0 keeps all
};

// One surface per value of `values` present in `labels` (absent values give none), in the order of
// `values`. Stops early, returning what it has, once `cancelled()` is true (checked between labels).
std::vector<LabelSurface> extractLabelSurfaces(const LabelMap& labels, const std::vector<uint16_t>& values,
                                               const SurfaceOptions& options = {},
                                               const std::function<bool()>& cancelled = {});

}  // namespace protolabel::core
