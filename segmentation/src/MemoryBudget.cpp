#include "MemoryBudget.h"

#include <malloc.h>

#include <string>

#include "protolabel/core/Error.h"
#include "protolabel/core/SystemMemory.h"

namespace protolabel::segmentation {

namespace {
// Per voxel of the scan: the network's copy (4 bytes as float; 2 when it holds whole numbers, as a CT
// does, but a float scan is budgeted), the fusion's best probability and winner (1 + 1), the
// result's labels and uncertainty (2 + 1), the connectivity marks (1), and room for LibTorch's slice
// temporaries and the allocator's slack. Per voxel of a support scan: its copy and the same room.
// Fixed: the model with its adapted copy, LibTorch's arenas and the query feature cache. Measured
// peaks of `protolabel segment`, scan included, against this estimate: the sample (122x101x112,
// 4 structures, adaptation on) 489 MiB against 784 MiB; 512x512x300 int16 with 5 structures
// 964 MiB against 1,668 MiB.
constexpr uint64_t kBytesPerVoxel = 12;
constexpr uint64_t kBytesPerSupportVoxel = 8;
constexpr uint64_t kFixedBytes = uint64_t(768) << 20;

std::string mib(uint64_t bytes) { return std::to_string((bytes + (uint64_t(1) << 19)) >> 20) + " MiB"; }
}  // namespace

uint64_t estimatedPipelineBytes(const MemoryNeed& need) {
  uint64_t bytes = kFixedBytes + uint64_t(need.voxels) * kBytesPerVoxel + uint64_t(need.supportVoxels) * kBytesPerSupportVoxel;
  if (need.keepProbabilities) bytes += uint64_t(need.voxels) * 4 * uint64_t(need.structures);
  return bytes;
}

void requireMemoryFor(const MemoryNeed& need, const core::Size3& size, uint64_t budgetBytes) {
  const uint64_t budget = budgetBytes ? budgetBytes : core::availableMemoryBytes();
  const uint64_t needed = estimatedPipelineBytes(need);
  if (needed <= budget) return;
  throw core::Error(core::ErrorCode::TooLarge,
                    "segmenting this " + std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                        std::to_string(size[2]) + " scan with " + std::to_string(need.structures) +
                        " structure(s) needs about " + mib(needed) + " of memory and " + mib(budget) +
                        (budgetBytes ? " are allowed" : " are free") +
                        ": close other programs, crop the scan to the region of interest, or segment fewer "
                        "structures at a time");
}

FreedMemoryReturn::~FreedMemoryReturn() { malloc_trim(0); }

}  // namespace protolabel::segmentation
