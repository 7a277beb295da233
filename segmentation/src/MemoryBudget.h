#pragma once
// What a pipeline run needs in memory beyond the scan itself, estimated before anything is allocated,
// and what the machine has free: a run that would not fit is refused with a message instead of
// ending in the kernel's out-of-memory kill.
#include <cstddef>
#include <cstdint>

#include "protolabel/core/Geometry.h"

namespace protolabel::segmentation {

struct MemoryNeed {
  int64_t voxels = 0;         // of the scan
  int64_t supportVoxels = 0;  // of the support scan, when the examples lie on another
  std::size_t structures = 0;
  bool keepProbabilities = false;
};

uint64_t estimatedPipelineBytes(const MemoryNeed& need);

// Throws core::Error(TooLarge) when the estimate exceeds `budgetBytes` (0: core::availableMemoryBytes()).
void requireMemoryFor(const MemoryNeed& need, const core::Size3& size, uint64_t budgetBytes);

// On destruction, hands the heap's free pages back to the system. A run frees hundreds of MB of
// slice-sized blocks on its worker threads' arenas, which the allocator would otherwise keep, so
// what the caller allocates next (the viewer accepting the result) would add to them.
struct FreedMemoryReturn {
  FreedMemoryReturn() = default;
  FreedMemoryReturn(const FreedMemoryReturn&) = delete;
  FreedMemoryReturn& operator=(const FreedMemoryReturn&) = delete;
  ~FreedMemoryReturn();
};

}  // namespace protolabel::segmentation
