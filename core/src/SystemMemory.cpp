#include "protolabel/core/SystemMemory.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace protolabel::core {

uint64_t spareMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) / 2 : uint64_t(8) << 30;
}

uint64_t availableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    uint64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib << 10;
  }
  return spareMemoryBytes();
}

}  // namespace protolabel::core
