#pragma once
// How a slice is laid out on screen so that anatomy looks the way radiologists expect whatever the
// file's voxel order: axial and coronal in radiological convention (patient's left on the screen's
// right), superior up in coronal and sagittal, anterior up in axial, anterior left in sagittal.
#include <array>

#include "protolabel/core/Geometry.h"
#include "protolabel/core/Slicing.h"

namespace protolabel::core {

struct SliceOrientation {
  bool flipU = false;  // slice column u grows to the screen's left
  bool flipV = false;  // slice row v grows upwards
  // Letters at the screen's left, right, top and bottom edges ('L', 'R', 'A', 'P', 'S', 'I').
  char left = '?', right = '?', top = '?', bottom = '?';
};

SliceOrientation sliceOrientation(const ImageGeometry& geometry, Axis axis);

// The anatomical letter of a physical LPS direction (its largest component).
char directionLetter(const Vec3& direction);

}  // namespace protolabel::core
