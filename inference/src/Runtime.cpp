#include "protolabel/inference/Runtime.h"

#include <torch/torch.h>
#include <torch/version.h>

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
  if (threads > 0) torch::set_num_threads(threads);
}

}  // namespace protolabel::inference
