#pragma once
// Supervoxel pseudo-labels for self-supervised training on any volume: ITK's 3D SLIC, restricted to
// the body as the reference does (per slice: intensity above 10 on a 0-255 scale, the largest
// connected component, holes filled). 0 marks voxels outside the body.
#include "protolabel/core/Volume.h"

namespace protolabel::core {

struct SupervoxelOptions {
  double voxelsPerSupervoxel = 5000;  // the reference's minimum size for abdominal MRI (1000 for cardiac)
  int iterations = 5;
};

// UInt16 volume of supervoxel ids on the image's grid.
Volume computeSupervoxels(const Volume& image, const SupervoxelOptions& options = {});

// The reference's body mask (UInt8, 1 inside), per axial slice.
Volume bodyMask(const Volume& image);

}  // namespace protolabel::core
