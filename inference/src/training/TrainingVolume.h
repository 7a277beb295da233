#pragma once
// A training volume file (docs/training-data.md), z-scored as the reference does, Z x Y x X.
#include <torch/torch.h>

#include <array>
#include <string>

namespace protolabel::inference::training {

struct TrainingVolume {
  std::string path;
  torch::Tensor image;        // float32, z-scored over the volume
  torch::Tensor supervoxels;  // int32
  torch::Tensor labels;       // int32
  std::array<double, 3> spacing{1, 1, 1};  // x, y, z (mm)
  double minimum = 0;         // of the z-scored image: the padding value of the model input
};

TrainingVolume loadTrainingVolume(const std::string& path);  // throws EngineError(ModelFile) on bad files

}  // namespace protolabel::inference::training
