#pragma once
// A volume prepared as the reference does: z-scored over the whole volume, held as Z x Y x X.
#include <torch/torch.h>

#include <array>
#include <utility>

#include "SliceFrame.h"
#include "protolabel/inference/Types.h"

namespace protolabel::inference {

struct PreparedVolume {
  torch::Tensor voxels;
  std::array<double, 3> spacing{};
  double padValue = 0;  // the volume minimum after z-scoring (the reference pads with the minimum)

  int64_t sliceCount(SliceAxis axis) const { return voxels.size(2 - int(axis)); }

  // Slice `index` as H x W (rows along the slice's v axis, columns along u), with its frame.
  std::pair<torch::Tensor, SliceFrame> slice(SliceAxis axis, int64_t index, int64_t input) const {
    const torch::Tensor s = voxels.select(2 - int(axis), index);
    const double su = axis == SliceAxis::X ? spacing[1] : spacing[0];
    const double sv = axis == SliceAxis::Z ? spacing[1] : spacing[2];
    return {s, SliceFrame::fit(s.size(1), s.size(0), su, sv, input)};
  }
};

// Throws EngineError for empty, tiny or non-finite volumes; `role` names the volume in messages.
PreparedVolume prepareVolume(const VolumeView& view, const char* role);

}  // namespace protolabel::inference
