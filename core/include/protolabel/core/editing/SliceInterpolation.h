#pragma once
// Shape-based interpolation between labelled slices (as ITK-SNAP's and Slicer's "fill between
// slices"): the user labels a structure on a few slices, and each slice between two labelled ones gets
// the zero level set of the signed distance maps of its two neighbours, blended linearly by position.
// Distances are in millimetres (the slice's spacing), so shapes blend correctly on anisotropic grids.
#include <cstdint>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Slicing.h"

namespace protolabel::core {

struct InterpolationResult {
  std::vector<uint8_t> mask;     // per voxel of the map: 1 where the interpolation adds the label
  int64_t filledSlices = 0;      // slices between labelled ones that received voxels
  int64_t voxels = 0;            // voxels set in `mask`
};

// Interpolates `label` along `axis` across every gap between two slices that hold it. Only slices
// that do not hold the label receive voxels, and only voxels that are unlabelled (the user's other
// labels are never covered). Slices outside the first and last labelled one stay empty.
InterpolationResult interpolateBetweenSlices(const LabelMap& labels, uint16_t label, Axis axis);

// The exact Euclidean signed distance (negative inside, positive outside, in the units of
// `spacingU`/`spacingV`) of a binary slice mask (u fastest); boundary voxels are about ±half a voxel.
std::vector<float> signedDistance2D(const std::vector<uint8_t>& mask, int64_t width, int64_t height, double spacingU,
                                    double spacingV);

}  // namespace protolabel::core
