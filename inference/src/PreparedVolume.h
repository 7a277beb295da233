#pragma once
// A volume prepared as the reference does: z-scored over the whole volume. It keeps a view of the
// caller's voxels (Z x Y x X, no copy) and z-scores each slice as it is taken, so a large scan is not
// held twice.
#include <torch/torch.h>

#include <array>
#include <utility>

#include "SliceFrame.h"
#include "protolabel/inference/Types.h"

namespace protolabel::inference {

struct PreparedVolume {
  torch::Tensor raw;  // the caller's voxels, Z x Y x X, not owned: float32 or int16
  double mean = 0, scale = 1;
  std::array<double, 3> spacing{};
  double padValue = 0;  // the volume minimum after z-scoring (the reference pads with the minimum)

  int64_t sliceCount(SliceAxis axis) const { return raw.size(2 - int(axis)); }
  // The size of slice planes normal to `axis` (height, width).
  std::pair<int64_t, int64_t> planeSize(SliceAxis axis) const {
    const auto s = raw.select(2 - int(axis), 0);
    return {s.size(0), s.size(1)};
  }

  // Slice `index` z-scored, as H x W (rows along the slice's v axis, columns along u), with its frame.
  std::pair<torch::Tensor, SliceFrame> slice(SliceAxis axis, int64_t index, int64_t input) const {
    const torch::Tensor s = (raw.select(2 - int(axis), index).to(torch::kFloat32) - mean) / scale;
    const double su = axis == SliceAxis::X ? spacing[1] : spacing[0];
    const double sv = axis == SliceAxis::Z ? spacing[1] : spacing[2];
    return {s, SliceFrame::fit(s.size(1), s.size(0), su, sv, input)};
  }
};

// Throws EngineError for empty, tiny or non-finite volumes; `role` names the volume in messages.
// `view` must outlive the result.
PreparedVolume prepareVolume(const VolumeView& view, const char* role);

}  // namespace protolabel::inference
