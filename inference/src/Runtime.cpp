#include "protolabel/inference/Runtime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <dlfcn.h>

namespace protolabel::inference {

RuntimeInfo queryRuntime() {
  RuntimeInfo info;
  info.torchVersion = TORCH_VERSION;
  info.cudaAvailable = torch::cuda::is_available();
  info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.cpuThreads = torch::get_num_threads();
  return info;
}

void setCpuThreads(int threads) {
  if (threads <= 0) return;
  torch::set_num_threads(threads);
  // OpenBLAS (the BLAS behind the linear layers) keeps a thread pool of its own that spins while it
  // waits; left at the machine's core count it competes with LibTorch's threads. Match it when the
  // BLAS in use is OpenBLAS.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

}  // namespace protolabel::inference
