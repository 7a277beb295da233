#pragma once
// The engine benchmark, shared by `protolabel bench engine` and the standalone `cow-bench` tool (which
// builds against a CUDA LibTorch without the rest of the project).
#include <functional>
#include <string>
#include <vector>

#include "protolabel/inference/Types.h"

namespace protolabel::inference {

// Median wall time of `repeats` runs of `work`, each preceded (untimed) by `prepare`.
double medianSeconds(int repeats, const std::function<void()>& work, const std::function<void()>& prepare = [] {});

struct EngineBenchmarkOptions {
  std::vector<std::string> presets{"lite", "paper"};
  Device device = Device::Auto;
  int repeats = 3;
  int slicesPerRun = 4;
  bool paperVolumeOnCpu = false;  // the whole-volume run of the paper preset takes minutes on a CPU
};

struct EngineBenchmarkRow {
  std::string preset;
  std::string name;
  double seconds = 0;
};

// Per-query-slice latency with the support cached and re-encoded, and a 256x256x100 volume with 3
// labels end to end, on a synthetic abdomen-like volume (timings do not depend on the weights).
std::vector<EngineBenchmarkRow> runEngineBenchmark(const EngineBenchmarkOptions& options);

}  // namespace protolabel::inference
