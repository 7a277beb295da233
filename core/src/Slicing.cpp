#include "protolabel/core/Slicing.h"

namespace protolabel::core {

const char* axisName(Axis axis) {
  switch (axis) {
    case Axis::X: return "sagittal";
    case Axis::Y: return "coronal";
    case Axis::Z: return "axial";
  }
  return "unknown";
}

SliceLayout sliceLayout(const Size3& size, Axis axis) {
  SliceLayout L{};
  switch (axis) {
    case Axis::Z: L.inPlaneU = 0; L.inPlaneV = 1; break;
    case Axis::Y: L.inPlaneU = 0; L.inPlaneV = 2; break;
    case Axis::X: L.inPlaneU = 1; L.inPlaneV = 2; break;
  }
  L.width = size[L.inPlaneU];
  L.height = size[L.inPlaneV];
  L.count = size[static_cast<int>(axis)];
  return L;
}

}  // namespace protolabel::core
