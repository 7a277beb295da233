#pragma once
// The one segmentation pipeline: a scan plus the user's examples in, a proposal on the scan's grid
// out. The viewer's Segment button, `protolabel segment`, `evaluate`, `demo` and the tests all run
// this, with these defaults, so a headless figure is what a viewer user gets.
//
// Steps: the modality (user, DICOM header, intensities) -> the network's input (the model file's CT
// window and orientation) -> optional adaptation of a copy of the model to this scan -> every
// structure segmented in one pass, propagated slice by slice outward from its examples until it
// ends (structures and sweeps side by side, one worker per CPU thread; the same result as one) ->
// labels fused (the most probable wins) -> what is not 3D-connected to the examples dropped
// -> the examples themselves kept as painted -> back onto the scan's voxel order.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"
#include "protolabel/inference/Model.h"
#include "protolabel/segmentation/Examples.h"
#include "protolabel/segmentation/Modality.h"

namespace protolabel::segmentation {

// The adaptation budget the viewer offers and `segment --adapt` defaults to (seconds on 2 CPU cores).
constexpr double kDefaultAdaptSeconds = 60;
constexpr int64_t kDefaultAdaptIterations = 100;

struct PipelineOptions {
  Modality modality = Modality::Auto;
  // Seconds of adaptation of a copy of the model to the scan before segmenting (0: off).
  double adaptSeconds = kDefaultAdaptSeconds;
  // At most this many adaptation steps: on a 2-core laptop they fit the budget, so runs repeat exactly.
  int64_t adaptIterations = kDefaultAdaptIterations;
  double adaptLearningRate = 1e-3;
  // Extent control: each structure grows slice by slice from its examples, each segmented slice
  // serving as the support of the next, and stops where it ends. Off: every slice is segmented
  // with the nearest example (the reference's volume inference).
  bool propagate = true;
  // Propagation's tuning (segmentation/src/Propagation.h); the defaults are the measured best.
  double originWeight = 0.5;
  double continuityMm = 10;
  double stopFraction = 0.3;  // of the example's area: lower lets leaks run on (measured 0.02-0.4)
  double minResemblance = -1;  // -1: off
  // Intensity gate: voxels further than this many standard deviations from the mean intensity of a
  // structure's examples cannot belong to it (0: off).
  double intensityGate = 2;
  int gateSmoothing = 1;  // radius (pixels) of the in-plane mean taken before the gate (noise in CT)
  // Average every slice's probability with that of the left-right mirrored episode (twice the network work).
  bool mirror = false;
  // A voxel belongs to a structure when its probability exceeds this.
  double threshold = 0.7;
  // Keep only what is 3D-connected to the examples (the largest piece for examples from another scan).
  bool keepConnected = true;
  // Fill each structure's holes slice by slice (vessels inside an organ that the gate left out).
  bool fillHoles = true;
  // The user's own extent: a structure is kept only on slices [first, last] (indices along the
  // examples' axis, inclusive) when it has a range here; its painted examples always stay.
  std::map<uint16_t, std::pair<int64_t, int64_t>> sliceRanges;
  // Keep every structure's probability map (memory: 4 bytes per voxel and structure).
  bool keepProbabilities = false;
  // A run whose estimated memory exceeds this is refused before it allocates (0: the memory free now).
  uint64_t memoryBudgetBytes = 0;
  uint64_t seed = 2025;
};

// A labelled scan whose examples serve for another scan (segmenting a new scan from an annotated one).
struct SupportScan {
  const core::Volume* image = nullptr;
  std::string dicomModality;
  Modality modality = Modality::Auto;
  ExampleSet examples;  // on `image`
};

struct PipelineInput {
  const core::Volume* image = nullptr;  // the scan to segment; must outlive the run
  std::string dicomModality;            // the DICOM Modality tag when the scan is DICOM
  ExampleSet examples;                  // on `image`; ignored when `support` is set
  const SupportScan* support = nullptr;
};

struct PipelineProgress {
  std::string stage;  // "adapting", "segmenting"
  double fraction = 0;  // of the whole run
  double etaSeconds = -1;
};
// Return false to cancel: run() then throws PipelineCancelled after the current slice.
using PipelineCallback = std::function<bool(const PipelineProgress&)>;

class PipelineCancelled : public std::runtime_error {
 public:
  PipelineCancelled() : std::runtime_error("segmentation cancelled") {}
};

struct PipelineTiming {
  double prepare = 0, adapt = 0, segment = 0, finish = 0;
};

struct PipelineResult {
  core::LabelMap labels;              // uint16 on the scan's grid; 0 = none
  std::vector<uint8_t> uncertainty;   // per voxel: 0 sure .. 255 a coin flip (of the most likely structure)
  std::vector<double> sliceUncertainty;  // per slice along `axis`: mean over the structures' band; -1 none
  core::Axis axis = core::Axis::Z;
  std::map<uint16_t, std::vector<float>> probabilities;  // with keepProbabilities only
  Modality modality = Modality::MR;
  // Per structure, the Dice of the network's own prediction on its example slices (query = support):
  // low values warn that the model does not reproduce what it was shown. Examples on this scan only.
  // exampleDice: the probability cut at 0.5; exampleDecisionDice: what the pipeline decides there by
  // the rules of every other slice (decision threshold, intensity gate), before the example is pasted.
  std::map<uint16_t, double> exampleDice, exampleDecisionDice;
  int64_t adaptIterations = 0;
  PipelineTiming timing;
};

class Pipeline {
 public:
  explicit Pipeline(std::shared_ptr<inference::Model> model);
  // Throws core::Error(InvalidArgument) for missing inputs or examples, inference::EngineError for
  // what the engine refuses, PipelineCancelled when the callback asks to stop.
  PipelineResult run(const PipelineInput& input, const PipelineOptions& options,
                     const PipelineCallback& progress = {}) const;

 private:
  std::shared_ptr<inference::Model> model_;
};

}  // namespace protolabel::segmentation
