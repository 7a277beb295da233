#pragma once
// Carrying labels between two grids that place their voxel centres at the same physical points but
// store the axes differently (flipped or permuted): a NIfTI written LAS from a DICOM series that
// ProtoLabel reads LPS, say. Voxels are moved, never interpolated.
#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

// True when every voxel centre of `from` is a voxel centre of `to` and the other way round (same
// lattice, axes possibly flipped or permuted), within `tolerance` voxels.
bool sameLattice(const ImageGeometry& from, const ImageGeometry& to, double tolerance = 1e-3);

// `labels` on `grid`, voxel for voxel, with the same table. Labels already on `grid` come back as they
// are. ErrorCode::GridMismatch when the grids are not the same lattice (that would need resampling).
LabelMap alignLabelsToGrid(const LabelMap& labels, const ImageGeometry& grid);

}  // namespace protolabel::core
