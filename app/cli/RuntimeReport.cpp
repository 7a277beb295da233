#include "RuntimeReport.h"

#include <sys/resource.h>

#include <QtGlobal>

#include <fstream>
#include <string>

#include "protolabel/inference/Runtime.h"

namespace protolabel::app {

LoadedLibraries inspectLoadedLibraries() {
  LoadedLibraries libs;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libQt5") != std::string::npos) ++libs.qt5Mappings;
    if (line.find("libQt6") != std::string::npos) ++libs.qt6Mappings;
    if (line.find("libtorch") != std::string::npos) ++libs.torchMappings;
    if (line.find("libopencv_highgui.so.406") != std::string::npos && line.find("/usr/lib") == std::string::npos)
      libs.highguiStubLoaded = true;
  }
  return libs;
}

QJsonObject runtimeReport() {
  const inference::RuntimeInfo torch = inference::queryRuntime();
  const LoadedLibraries libs = inspectLoadedLibraries();
  QJsonObject report;
  report["qt_version"] = QString::fromLatin1(qVersion());
  report["torch_version"] = QString::fromStdString(torch.torchVersion);
  report["cuda_available"] = torch.cudaAvailable;
  report["cuda_devices"] = torch.cudaDeviceCount;
  report["cpu_threads"] = torch.cpuThreads;
  report["qt5_mappings"] = libs.qt5Mappings;
  report["qt6_mappings"] = libs.qt6Mappings;
  report["torch_mappings"] = libs.torchMappings;
  report["highgui_stub_loaded"] = libs.highguiStubLoaded;
  return report;
}

double peakResidentMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

}  // namespace protolabel::app
