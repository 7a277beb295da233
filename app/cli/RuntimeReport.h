#pragma once
#include <QJsonObject>

namespace protolabel::app {

// Which Qt and LibTorch libraries this process has mapped, read from /proc/self/maps. Proves that
// Debian's LibTorch did not drag Qt 5 in next to Qt 6.
struct LoadedLibraries {
  int qt5Mappings = 0;
  int qt6Mappings = 0;
  int torchMappings = 0;
  bool highguiStubLoaded = false;
};

LoadedLibraries inspectLoadedLibraries();
QJsonObject runtimeReport();
// The process's peak resident memory so far, in MB (for the benchmarks).
double peakResidentMb();  // the libraries above plus LibTorch's version, devices and threads

}  // namespace protolabel::app
