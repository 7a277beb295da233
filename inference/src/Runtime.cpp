#include "protolabel/inference/Runtime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <mutex>

namespace protolabel::inference {

namespace {
using SetThreads = void (*)(int);
using GetThreads = int (*)();
template <class F>
F symbol(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

// OpenMP's team size is per thread; OpenBLAS's pool is one for the process: while any thread runs
// single-threaded, OpenBLAS runs on one thread (its idle pool threads would spin on the cores the
// workers need), and gets its count back when the last one ends.
std::mutex blasMutex;
int blasUsers = 0;
int blasThreadsBefore = 0;
}  // namespace

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
  if (auto set = symbol<SetThreads>("openblas_set_num_threads")) set(threads);
}

SingleThreadedOps::SingleThreadedOps() {
  // Reading the count first lets LibTorch make its lazy per-thread set-up, which would otherwise
  // overwrite the team size at the first parallel operation.
  previous_ = torch::get_num_threads();
  if (auto set = symbol<SetThreads>("omp_set_num_threads")) set(1);
  const std::lock_guard<std::mutex> lock(blasMutex);
  if (blasUsers++ > 0) return;
  const auto get = symbol<GetThreads>("openblas_get_num_threads");
  const auto set = symbol<SetThreads>("openblas_set_num_threads");
  if (get && set) {
    blasThreadsBefore = get();
    set(1);
  }
}

SingleThreadedOps::~SingleThreadedOps() {
  if (auto set = symbol<SetThreads>("omp_set_num_threads")) set(previous_);
  const std::lock_guard<std::mutex> lock(blasMutex);
  if (--blasUsers > 0) return;
  const auto set = symbol<SetThreads>("openblas_set_num_threads");
  if (set && blasThreadsBefore > 0) set(blasThreadsBefore);
}

}  // namespace protolabel::inference
