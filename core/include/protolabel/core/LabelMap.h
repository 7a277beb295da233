#pragma once
// Integer labels (uint8 or uint16) on the exact grid of an image, with their label table.
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "protolabel/core/LabelTable.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/Volume.h"

namespace protolabel::core {

// Voxel-index bounding box [lo, hi] per axis; empty when lo > hi.
struct IndexBox {
  std::array<int64_t, 3> lo{0, 0, 0};
  std::array<int64_t, 3> hi{-1, -1, -1};
  bool empty() const { return lo[0] > hi[0]; }
};

class LabelMap {
 public:
  LabelMap() = default;
  // Zero-filled labels on `grid`. `type` must be UInt8 or UInt16.
  explicit LabelMap(const ImageGeometry& grid, PixelType type = PixelType::UInt8);
  // Takes `voxels` (UInt8 or UInt16) as the labels.
  LabelMap(Volume voxels, LabelTable table);

  const ImageGeometry& geometry() const { return voxels_.geometry(); }
  PixelType pixelType() const { return voxels_.pixelType(); }
  const Volume& voxels() const { return voxels_; }
  Volume& voxels() { return voxels_; }
  LabelTable& table() { return table_; }
  const LabelTable& table() const { return table_; }

  uint16_t at(int64_t i, int64_t j, int64_t k) const { return labelAtLinear(voxels_.linearIndex(i, j, k)); }
  void set(int64_t i, int64_t j, int64_t k, uint16_t value);
  uint16_t labelAtLinear(int64_t index) const;

  // Voxel count per non-zero label value present in the map.
  std::map<uint16_t, int64_t> histogram() const;
  IndexBox extentOf(uint16_t value) const;
  // The extent of every non-zero value present, in one pass over the voxels.
  std::map<uint16_t, IndexBox> extents() const;
  // The box of every non-zero voxel (empty when there is none), in one fast pass: a row without
  // labels costs one vectorised sweep.
  IndexBox contentExtent() const;
  // These labels on the sub-grid `box` (clamped to the grid; at least one voxel), where they lie in
  // physical space, with the same table; stored as uint8 when every value in the box fits.
  LabelMap cropped(IndexBox box) const;
  // The mask of `value` on slice `index` normal to `axis` (u fastest, see Slicing.h): 1 where labelled.
  std::vector<uint8_t> sliceMask(Axis axis, int64_t index, uint16_t value) const;
  // The slices normal to `axis` that hold `value`, in increasing order.
  std::vector<int64_t> slicesContaining(uint16_t value, Axis axis) const;

  // The table plus a default entry for every value present in the map but missing from it.
  LabelTable completeTable() const;
  void addMissingTableEntries() { table_ = completeTable(); }

 private:
  Volume voxels_;
  LabelTable table_;
};

}  // namespace protolabel::core
