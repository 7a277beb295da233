#pragma once
// Fine-tuning data checks shared by `protolabel finetune` and the fine-tune panel (the volumes
// themselves are prepared by segmentation/TrainingData.h).
#include <string>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"

namespace protolabel::core {

// True when any voxel of `labels` is non-zero.
bool hasAnyLabel(const Volume& labels);

}  // namespace protolabel::core
