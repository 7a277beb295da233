#pragma once
// How much memory this machine has for a scan and the work on it.
#include <cstdint>

namespace protolabel::core {

// Half the physical memory (8 GiB when it cannot be read): the most one image may take, leaving room
// for the viewer, the labels and the network's working copies.
uint64_t spareMemoryBytes();

// Linux's MemAvailable (what can be allocated now without swapping), else spareMemoryBytes().
uint64_t availableMemoryBytes();

}  // namespace protolabel::core
