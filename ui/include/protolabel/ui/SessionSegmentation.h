#pragma once
// The bridge between an annotation session and the engine, shared by the window's background runner
// and the headless demo: which slices are the examples, the float volumes the engine reads, and
// the engine's result turned into a proposal on the image's grid.
#include <memory>
#include <vector>

#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/inference/Engine.h"

namespace protolabel::ui {

// A labelled volume whose labels serve as supports (segmenting a new scan from a labelled one).
struct SupportVolume {
  core::Volume image;
  core::LabelMap labels;  // uint16
  std::string path;
};

// The session's support slices with their masks, or, given a support volume, each of its labels at
// 1/6, 1/2 and 5/6 of its axial extent (the benchmark's choice). Cheap; runs in the GUI thread.
std::vector<inference::LabelSupport> collectSupports(const core::AnnotationSession& session,
                                                     const SupportVolume* supportVolume);

// One engine run's input, owning the float voxels its views point into (hence not copyable).
class EngineInput {
 public:
  EngineInput(const core::Volume& query, const SupportVolume* supportVolume, std::vector<inference::LabelSupport> labels);
  EngineInput(const EngineInput&) = delete;
  EngineInput& operator=(const EngineInput&) = delete;
  const inference::SegmentationRequest& request() const { return request_; }

 private:
  std::vector<float> query_, support_;
  inference::VolumeView supportView_;
  inference::SegmentationRequest request_;
};

// The engine's result as a proposal: labels, uncertainty (0..255), per-slice scores, pending labels.
// With `keepConnected`, each label keeps only what is 3D-connected to its examples in this volume
// (the largest piece when the examples come from another volume).
core::Proposal toProposal(const inference::SegmentationResult& result, const core::ImageGeometry& grid,
                          const std::vector<inference::LabelSupport>& labels, bool keepConnected = true);

}  // namespace protolabel::ui
