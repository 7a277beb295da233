#pragma once
// Painting, erasing and bucket filling on one slice of a label map. Coordinates are those of the
// slice plane (see Slicing.h): u along the slice's width, v along its height, voxel centres at
// integers. Every function returns the box of voxels it actually changed (empty if none), so callers
// redraw and record undo only where needed.
#include <cstdint>
#include <set>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Slicing.h"

namespace protolabel::core {

// A round brush. In millimetres it is round in physical space, so on an anisotropic grid it is an
// ellipse in voxel units with semi-axes radius / spacing along each in-plane axis; in voxels it is a
// disc of `radius` voxels. A voxel (i, j) of the slice is painted when
//   (i - u)^2 / ru^2 + (j - v)^2 / rv^2 <= 1      (ru, rv: semi-axes in voxels)
// and the voxel nearest the centre is always painted, so a brush smaller than a voxel still paints.
struct BrushShape {
  double radius = 1;
  bool radiusInMillimetres = false;
};

struct PaintRules {
  uint16_t value = 1;           // the label written; 0 erases
  std::set<uint16_t> locked;    // labels never overwritten and never erased
  // The threshold brush: only voxels whose intensity in `image` (on the labels' grid) lies in
  // [low, high] are painted. Null: every voxel under the brush.
  const Volume* image = nullptr;
  double low = 0, high = 0;
};

// Paints one brush disc centred at (u, v) on slice `slice` normal to `axis`. Parts outside the image
// are clipped. Throws std::out_of_range for a slice outside the volume and core::Error
// (InvalidArgument) for a value that does not fit the map's voxel type.
IndexBox paintDisc(LabelMap& labels, Axis axis, int64_t slice, double u, double v, const BrushShape& brush,
                   const PaintRules& rules);

// Paints discs along the segment (u0, v0) -> (u1, v1), spaced half the brush's smaller semi-axis
// apart (half a voxel for brushes under a voxel), plus every voxel the segment passes through, so
// the band has no gaps even for a fast drag with a brush thinner than a voxel.
IndexBox paintStroke(LabelMap& labels, Axis axis, int64_t slice, double u0, double v0, double u1, double v1,
                     const BrushShape& brush, const PaintRules& rules);

// The voxels that paintDisc / paintStroke with these arguments may change, clipped to the image
// (without looking at the labels). Lets an undo record touch only the Z slices an edit can reach.
IndexBox discBounds(const LabelMap& labels, Axis axis, int64_t slice, double u, double v, const BrushShape& brush);
IndexBox strokeBounds(const LabelMap& labels, Axis axis, int64_t slice, double u0, double v0, double u1, double v1,
                      const BrushShape& brush);

// Bucket fill: the 4-connected region of the slice holding the seed voxel's label becomes
// `rules.value`. Nothing changes when the seed's label is locked or already equals the value.
// Throws std::out_of_range for a slice or seed outside the volume.
IndexBox fillInSlice(LabelMap& labels, Axis axis, int64_t slice, int64_t u, int64_t v, const PaintRules& rules);

}  // namespace protolabel::core
