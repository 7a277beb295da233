#pragma once
// 3D connected components of one label. The engine segments every slice on its own and can find
// look-alike tissue far from the structure; keeping what is connected to the user's examples (or,
// without examples in this volume, the largest piece) removes those islands.
#include <cstdint>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

// Keeps the voxels of `value` 6-connected to one of `seeds` (linear voxel indices; seeds not
// holding `value` are ignored); the others become 0. Returns how many voxels were removed.
int64_t keepConnectedTo(LabelMap& labels, uint16_t value, const std::vector<int64_t>& seeds);

// Keeps the largest 6-connected component of `value`. Returns how many voxels were removed.
int64_t keepLargestComponent(LabelMap& labels, uint16_t value);

// Fills the holes of `value` in every slice normal to `axis`: unlabelled pixels that cannot reach the
// slice's border without crossing `value` (vessels inside an organ, say). Other labels stay. Returns
// how many voxels were filled.
int64_t fillHolesInSlices(LabelMap& labels, uint16_t value, Axis axis);

}  // namespace protolabel::core
