#pragma once
// Writes a training volume (intensities, supervoxels, labels on one grid) in the format of
// docs/training-data.md, which the LibTorch-only training loop reads.
#include <string>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

// `supervoxels` and `labels` must have the same size as `image` (their voxel arrays are taken as
// aligned index by index, as the reference pipeline does); `labels` may be null. Atomic write.
void writeTrainingVolume(const std::string& path, const Volume& image, const Volume& supervoxels, const Volume* labels);

}  // namespace protolabel::core
