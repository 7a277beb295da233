#pragma once
// What the LibTorch runtime this build links offers: version, devices, threads.
#include <string>

namespace protolabel::inference {

struct RuntimeInfo {
  std::string torchVersion;
  bool cudaAvailable = false;
  int cudaDeviceCount = 0;
  int cpuThreads = 0;
};

RuntimeInfo queryRuntime();

// Sets the number of CPU threads LibTorch uses for intra-op parallelism (0 leaves the default).
void setCpuThreads(int threads);

}  // namespace protolabel::inference
