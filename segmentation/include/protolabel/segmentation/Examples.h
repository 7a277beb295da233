#pragma once
// The user's examples: for each structure, the slices (normal to one axis) where it was painted, with
// its mask there. They come from the annotation session (brushed slices), or from a labelled volume
// (the benchmark harness, a labelled scan serving as the support for another one).
#include <cstdint>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/session/AnnotationSession.h"

namespace protolabel::segmentation {

struct SliceExample {
  int64_t slice = 0;
  std::vector<uint8_t> mask;  // the slice plane, u fastest (core/Slicing.h); non-zero = the structure
};

struct LabelExamples {
  uint16_t label = 1;
  std::vector<SliceExample> slices;  // ascending slice index
};

struct ExampleSet {
  core::Axis axis = core::Axis::Z;
  std::vector<LabelExamples> labels;
  bool empty() const { return labels.empty(); }
};

// The session's painted support slices (its support axis).
ExampleSet examplesFromSession(const core::AnnotationSession& session);

// `shots` slices of each of `values` (every value present when empty) taken from `labels`: one shot
// is the middle slice of the structure's extent along `axis`; three shots lie at 1/6, 1/2 and 5/6 of
// it (the benchmark's choice); in general shot i of n at (2i + 1) / 2n. Only slices holding the
// structure are taken (the nearest one when a gap falls on a chosen position).
ExampleSet examplesFromLabels(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis,
                              int shots);

// The viewer's rules, shared by `protolabel segment` so both take the same examples from a label map:
// on the scan itself every slice holding a structure is an example (as every painted slice is);
// from another labelled scan, each structure's slices at 1/6, 1/2 and 5/6 of its extent (EP1's choice).
ExampleSet examplesFromPaintedSlices(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis);
ExampleSet examplesFromLabelledScan(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis);

// Every voxel of the examples of `label` as linear indices of a volume of `size` (seeds for
// connectivity).
std::vector<int64_t> exampleVoxels(const LabelExamples& examples, const core::Size3& size, core::Axis axis);

}  // namespace protolabel::segmentation
