#pragma once
// A CoW network with its preset and provenance. Model files are LibTorch archives: the parameters and
// buffers under their reference names ("state.<name>") plus metadata ("meta.*"); see docs/model-format.md.
#include <cstdint>
#include <memory>
#include <string>

#include "protolabel/inference/Types.h"

namespace protolabel::inference {

// What the network expects of its input, recorded in the model file and applied by the segmentation
// pipeline before the engine sees a volume (the engine itself z-scores each volume).
struct Preprocessing {
  double ctWindowLow = -125, ctWindowHigh = 275;  // CT is clipped to this window (HU)
  std::string orientation = "LAS";  // voxel order of the training volumes; others are flipped into it
};

struct ModelInfo {
  std::string preset;        // "paper", "lite"
  std::string method;        // "cow", or "single-prototype" (the baseline)
  int64_t inputSize = 0;     // square model input, pixels
  int64_t parameters = 0;    // learnable parameters
  int64_t featureChannels = 0;
  int64_t fgPrototypes = 0, bgPrototypes = 0;
  std::string training;      // free-text training summary (data, iterations, wall time, hardware)
  std::string formatVersion; // model file format
  std::string createdBy;     // ProtoLabel version that wrote the file
  bool halfPrecision = false;  // weights stored as float16
  Preprocessing preprocessing;
};

class Model {
 public:
  ~Model();
  // A freshly initialised network (Kaiming-normal convolutions, as the reference) seeded by `seed`.
  // `method` is "cow" or "single-prototype" (the PANet-style baseline on the same encoder).
  static std::shared_ptr<Model> create(const std::string& preset, uint64_t seed = 2025, Device device = Device::Auto,
                                       const std::string& method = "cow");
  // Throws EngineError(ModelFile) with a readable message for missing, damaged or foreign files.
  static std::shared_ptr<Model> load(const std::string& path, Device device = Device::Auto);
  static ModelInfo inspect(const std::string& path);

  // An independent copy (weights, buffers, metadata) on the same device: what adaptation tunes.
  std::shared_ptr<Model> clone() const;

  // Writes atomically (temporary file + rename). `halfPrecision` stores weights as float16.
  void save(const std::string& path, bool halfPrecision = false) const;
  // Copies tensors from a PyTorch state_dict (.pth written by torch.save) by parameter name; returns
  // how many entries were loaded. Throws if a matching name has the wrong shape.
  int64_t importStateDict(const std::string& pthPath);
  // Copies every tensor of `other` whose name and shape match one of this model's (a CoW model's
  // encoder into a single-prototype baseline, say); returns how many were copied.
  int64_t copyMatchingWeights(const Model& other);
  // Writes the parameters and buffers as a state_dict that PyTorch's torch.load reads.
  void exportStateDict(const std::string& pthPath) const;

  ModelInfo info() const;
  void setTrainingSummary(const std::string& summary);
  void setPreprocessing(const Preprocessing& preprocessing);
  Device device() const;

  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace protolabel::inference
