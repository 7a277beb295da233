#pragma once
// A training volume file (docs/training-data.md), z-scored as the reference does, Z x Y x X.
#include <torch/torch.h>

#include <string>

namespace protolabel::inference::training {

struct TrainingVolume {
  std::string path;
  torch::Tensor image;        // float32, z-scored over the volume
  torch::Tensor supervoxels;  // int32
  torch::Tensor labels;       // int32
};

TrainingVolume loadTrainingVolume(const std::string& path);  // throws EngineError(ModelFile) on bad files

}  // namespace protolabel::inference::training
