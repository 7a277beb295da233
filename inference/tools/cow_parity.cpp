// cow-parity VECTORS.pt [cpu|cuda]: the parity check of `protolabel parity`, for a LibTorch-only build
// (e.g. against a CUDA LibTorch on a GPU machine). Exit status 0 only when every check passes.
#include <iostream>

#include "protolabel/inference/Parity.h"
#include "protolabel/inference/Runtime.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: cow-parity VECTORS.pt [cpu|cuda]\n";
    return 2;
  }
  try {
    const auto runtime = protolabel::inference::queryRuntime();
    std::cout << "LibTorch " << runtime.torchVersion << ", CUDA " << (runtime.cudaAvailable ? "available" : "absent")
              << "\n";
    const auto device = argc > 2 ? protolabel::inference::parseDevice(argv[2]) : protolabel::inference::Device::Cpu;
    const auto report = protolabel::inference::runParity(argv[1], device);
    for (const auto& c : report.checks)
      std::cout << (c.passed() ? "ok   " : "FAIL ") << c.key << " " << c.metric << " " << c.error << " (tolerance "
                << c.tolerance << ")\n";
    std::cout << report.checks.size() - report.failures() << " passed, " << report.failures() << " failed\n";
    return report.passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "cow-parity: " << e.what() << "\n";
    return 1;
  }
}
