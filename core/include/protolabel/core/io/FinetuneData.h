#pragma once
// Fine-tuning data: a labelled volume written as a training volume file whose labels drive the
// supervised episodes (no supervoxels). Shared by `protolabel finetune` and the fine-tune panel so
// both prepare the user's volumes the same way.
#include <string>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"

namespace protolabel::core {

// True when any voxel of `labels` is non-zero.
bool hasAnyLabel(const Volume& labels);

// Writes `image` with `labels` as `<folder>/volume<index>.pltv` and returns that path. Throws
// Error(GridMismatch) when the labels are not on the image's grid and Error(InvalidArgument) when
// they hold no label (such a volume gives no episode).
std::string writeFinetuneVolume(const Volume& image, const Volume& labels, const std::string& folder, int index);
std::string writeFinetuneVolume(const Volume& image, const LabelMap& labels, const std::string& folder, int index);

}  // namespace protolabel::core
