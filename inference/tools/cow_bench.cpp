// cow-bench [cpu|cuda|auto] [presets] [--paper-volume]: the engine benchmark of `protolabel bench engine`
// for a LibTorch-only build.
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "protolabel/inference/Benchmark.h"
#include "protolabel/inference/Runtime.h"

int main(int argc, char** argv) {
  using namespace protolabel::inference;
  try {
    EngineBenchmarkOptions options;
    if (argc > 1) options.device = parseDevice(argv[1]);
    if (argc > 2) {
      options.presets.clear();
      std::stringstream list(argv[2]);
      for (std::string p; std::getline(list, p, ',');) options.presets.push_back(p);
    }
    options.paperVolumeOnCpu = argc > 3 && std::string(argv[3]) == "--paper-volume";
    const RuntimeInfo runtime = queryRuntime();
    std::cout << "LibTorch " << runtime.torchVersion << ", " << runtime.cpuThreads << " CPU threads, CUDA "
              << (runtime.cudaAvailable ? "available" : "absent") << ", device " << deviceName(options.device) << "\n";
    for (const auto& r : runEngineBenchmark(options))
      std::cout << std::left << std::setw(8) << r.preset << std::setw(52) << r.name << std::right << std::fixed
                << std::setprecision(4) << std::setw(10) << r.seconds << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cow-bench: " << e.what() << "\n";
    return 1;
  }
}
