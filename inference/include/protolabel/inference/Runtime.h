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

// While it lives, LibTorch's operations on the calling thread run on that thread alone (its OpenMP
// team size 1; other threads keep theirs). On the small tensors of slice-by-slice segmentation one
// thread per task is faster than threads per operation: the pipeline runs one worker per core with it.
class SingleThreadedOps {
 public:
  SingleThreadedOps();
  ~SingleThreadedOps();
  SingleThreadedOps(const SingleThreadedOps&) = delete;
  SingleThreadedOps& operator=(const SingleThreadedOps&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace protolabel::inference
