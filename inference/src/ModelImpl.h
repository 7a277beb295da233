#pragma once
// What a Model holds; shared by the engine and the training loop (never part of the public API).
#include <torch/torch.h>

#include "nn/CowNet.h"
#include "protolabel/inference/Model.h"

namespace protolabel::inference {

struct Model::Impl {
  nn::CowConfig config;
  nn::CowNet net{nullptr};
  torch::Device device{torch::kCPU};
  std::string training;
  bool loadedAsHalf = false;
  Preprocessing preprocessing;
};

torch::Device resolveDevice(Device device);

// The model's metadata and tensors into `archive` (Model::save, training checkpoints).
void writeModelArchive(const Model& model, torch::serialize::OutputArchive& archive, bool halfPrecision);
void saveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path);

}  // namespace protolabel::inference
