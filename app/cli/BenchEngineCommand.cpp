// protolabel bench engine [--presets lite,paper] [--device auto|cpu|cuda] [--threads N] [--repeats N]
//                         [--slices N] [--paper-volume] [--json]
#include <iomanip>
#include <iostream>
#include <sstream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "RuntimeReport.h"
#include "protolabel/inference/Benchmark.h"
#include "protolabel/inference/Runtime.h"

namespace protolabel::app {

int runBenchEngine(const Args& args) {
  const CommandLine cl(args, {"json", "paper-volume"}, {"presets", "device", "threads", "repeats", "slices"});
  inference::EngineBenchmarkOptions options;
  options.presets.clear();
  std::stringstream presets(cl.option("presets", "lite,paper"));
  for (std::string preset; std::getline(presets, preset, ',');) options.presets.push_back(preset);
  options.device = inference::parseDevice(cl.option("device", "auto"));
  options.repeats = std::max(1, cl.intOption("repeats").value_or(3));
  options.slicesPerRun = std::max(1, cl.intOption("slices").value_or(4));
  options.paperVolumeOnCpu = cl.flag("paper-volume");
  inference::setCpuThreads(cl.intOption("threads").value_or(2));
  const auto rows = inference::runEngineBenchmark(options);
  const inference::RuntimeInfo runtime = inference::queryRuntime();

  if (cl.flag("json")) {
    QJsonArray results;
    for (const auto& r : rows)
      results.append(QJsonObject{{"preset", QString::fromStdString(r.preset)},
                                 {"name", QString::fromStdString(r.name)},
                                 {"median_s", r.seconds}});
    printJson(QJsonObject{{"suite", "engine"},
                          {"device", inference::deviceName(options.device)},
                          {"cuda_available", runtime.cudaAvailable},
                          {"threads", runtime.cpuThreads},
                          {"peak_resident_mb", peakResidentMb()},
                          {"results", results}});
    return 0;
  }
  std::cout << "bench engine: medians of " << options.repeats << " runs, " << runtime.cpuThreads
            << " CPU threads, device " << inference::deviceName(options.device)
            << (runtime.cudaAvailable ? " (CUDA available)" : "") << "\n";
  for (const auto& r : rows)
    std::cout << std::left << std::setw(8) << r.preset << std::setw(52) << r.name << std::right << std::fixed
              << std::setprecision(3) << std::setw(10) << r.seconds << " s\n";
  for (std::size_t i = 0; i + 1 < rows.size(); ++i)
    if (rows[i].preset == rows[i + 1].preset && rows[i].name.find("cached") != std::string::npos &&
        rows[i + 1].name.find("re-encoded") != std::string::npos)
      std::cout << rows[i].preset << ": cached / uncached per-slice cost = " << std::setprecision(1)
                << 100.0 * rows[i].seconds / rows[i + 1].seconds << "%\n";
  std::cout << "peak resident memory " << std::setprecision(0) << peakResidentMb() << " MB\n";
  return 0;
}

}  // namespace protolabel::app
