#pragma once
// Test-time adaptation: a short fine-tune of a model on the scan it is about to segment, from the
// user's examples on that scan (support and query drawn from the example slices, one of them
// augmented), so the network reproduces what it was shown and its BatchNorm statistics come from
// this scan. Bounded by seconds and iterations, cancellable. The caller passes a private copy
// (Model::clone): the model file on disk is never changed.
#include <cstdint>
#include <functional>
#include <vector>

#include "protolabel/inference/Model.h"
#include "protolabel/inference/Types.h"

namespace protolabel::inference {

struct ScanExample {
  int64_t slice = 0;
  std::vector<uint8_t> mask;  // slice plane, u fastest; non-zero = the structure
};

struct ScanStructure {
  uint16_t label = 1;
  std::vector<ScanExample> examples;
};

struct AdaptationOptions {
  double seconds = 60;
  int64_t maxIterations = 1000;
  double learningRate = 1e-3;
  uint64_t seed = 2025;
  SliceAxis axis = SliceAxis::Z;
};

struct AdaptationReport {
  int64_t iterations = 0;
  double seconds = 0;
  double finalLoss = 0;
  bool cancelled = false;
};

// `progress` receives the fraction of the budget used; returning false cancels (the model then keeps
// what it learned so far and the report says cancelled). Throws EngineError for empty examples.
AdaptationReport adaptToScan(Model& model, const VolumeView& scan, const std::vector<ScanStructure>& structures,
                             const AdaptationOptions& options, const std::function<bool(double)>& progress = {});

}  // namespace protolabel::inference
