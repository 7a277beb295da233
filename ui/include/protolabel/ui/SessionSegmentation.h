#pragma once
// The bridge between an annotation session and the engine, shared by the window's background runner
// and the headless demo: which slices are the examples, the float volumes the engine reads, and
// the engine's result turned into a proposal on the image's grid.
#include <memory>
#include <set>
#include <vector>

#include "protolabel/core/TrainingOrientation.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/inference/Engine.h"

namespace protolabel::ui {

// A labelled volume whose labels serve as supports (segmenting a new scan from a labelled one).
struct SupportVolume {
  core::Volume image;
  core::LabelMap labels;  // uint16
  std::string path;
  std::set<uint16_t> use;  // the labels to transfer; empty: every label present
};

// The engine's view of float voxels laid out on `volume`'s grid.
inference::VolumeView viewOf(const std::vector<float>& voxels, const core::Volume& volume);

// The session's support slices with their masks, or, given a support volume, each of its labels at
// 1/6, 1/2 and 5/6 of its axial extent (the benchmark's choice). Cheap; runs in the GUI thread.
std::vector<inference::LabelSupport> collectSupports(const core::AnnotationSession& session,
                                                     const SupportVolume* supportVolume);

// One engine run's input, owning the float voxels its views point into (hence not copyable). The
// volumes and masks are flipped into the network's training orientation (core/TrainingOrientation.h);
// restore() flips a result back onto the query's grid.
class EngineInput {
 public:
  EngineInput(const core::Volume& query, const SupportVolume* supportVolume, std::vector<inference::LabelSupport> labels);
  EngineInput(const EngineInput&) = delete;
  EngineInput& operator=(const EngineInput&) = delete;
  const inference::SegmentationRequest& request() const { return request_; }
  void restore(inference::SegmentationResult& result) const;

 private:
  core::Size3 querySize_;
  core::AxisFlips queryFlips_;
  std::vector<float> query_, support_;
  inference::VolumeView supportView_;
  inference::SegmentationRequest request_;
};

// The engine's result as a proposal: labels, uncertainty (0..255), per-slice scores, pending labels.
// `labels` are collectSupports()'s. With `keepConnected`, each label keeps only what is 3D-connected
// to its examples in this volume (the largest piece when they come from `supportVolume`).
core::Proposal toProposal(const inference::SegmentationResult& result, const core::ImageGeometry& grid,
                          const std::vector<inference::LabelSupport>& labels, const SupportVolume* supportVolume,
                          bool keepConnected = true);

}  // namespace protolabel::ui
