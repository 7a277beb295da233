#include "protolabel/segmentation/Pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>

#include "IntensityGate.h"
#include "MemoryBudget.h"
#include "PlaneIndex.h"
#include "Propagation.h"
#include "TaskRunner.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/editing/ComponentFilter.h"
#include "protolabel/inference/Adaptation.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/inference/SliceSegmenter.h"
#include "protolabel/segmentation/NetworkVolume.h"

namespace protolabel::segmentation {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void checkExamples(const ExampleSet& set, const core::Size3& size, const char* where) {
  if (set.labels.empty())
    throw core::Error(core::ErrorCode::InvalidArgument,
                      std::string("no examples ") + where + ": paint at least one structure on a slice first");
  const core::SliceLayout L = core::sliceLayout(size, set.axis);
  for (const LabelExamples& label : set.labels) {
    if (label.slices.empty())
      throw core::Error(core::ErrorCode::InvalidArgument, "label " + std::to_string(label.label) + " has no example slice");
    for (const SliceExample& s : label.slices) {
      if (s.slice < 0 || s.slice >= L.count)
        throw core::Error(core::ErrorCode::InvalidArgument, "example slice " + std::to_string(s.slice) + " of label " +
                                                                std::to_string(label.label) + " lies outside the scan");
      if (int64_t(s.mask.size()) != L.width * L.height)
        throw core::Error(core::ErrorCode::InvalidArgument, "an example mask of label " + std::to_string(label.label) +
                                                                " does not cover its slice");
    }
  }
}

// Examples moved into a network volume's voxel order, ascending by slice.
ExampleSet flipped(const ExampleSet& set, const NetworkVolume& volume) {
  ExampleSet out = set;
  for (LabelExamples& label : out.labels) {
    for (SliceExample& s : label.slices) {
      s.slice = volume.flipSlice(s.slice, set.axis);
      volume.flipSliceMask(s.mask, set.axis);
    }
    std::sort(label.slices.begin(), label.slices.end(),
              [](const SliceExample& a, const SliceExample& b) { return a.slice < b.slice; });
  }
  return out;
}

// Per voxel, the most probable structure (its position in the request, one byte) and its probability
// (quantised to 0..255), in the network's voxel order; plus each structure's own probabilities when
// kept (4 bytes per voxel each). Planes may arrive from several threads in any order: a tie goes to
// the structure listed first, so the result does not depend on the order.
struct Fusion {
  static constexpr std::size_t kMaxStructures = 256;
  PlaneIndex index;
  std::vector<uint8_t> best;
  std::vector<uint8_t> winner;  // index into `values`
  std::vector<uint16_t> values;  // the structures in request order
  std::map<uint16_t, std::vector<float>> probabilities;
  std::map<uint16_t, uint8_t> rank;
  bool keep;
  std::mutex mutex;

  Fusion(const core::Size3& size, core::Axis axis, bool keepProbabilities, const std::vector<LabelExamples>& labels)
      : index(size, axis), best(std::size_t(size[0] * size[1] * size[2]), 0), winner(best.size(), 0),
        keep(keepProbabilities) {
    if (labels.size() > kMaxStructures)
      throw core::Error(core::ErrorCode::InvalidArgument,
                        "at most " + std::to_string(kMaxStructures) + " structures can be segmented in one run");
    for (const LabelExamples& l : labels) {
      rank.emplace(l.label, uint8_t(values.size()));
      values.push_back(l.label);
    }
  }

  void add(uint16_t label, int64_t slice, const std::vector<float>& plane) {
    const std::lock_guard<std::mutex> lock(mutex);
    std::vector<float>* kept = nullptr;
    if (keep) {
      auto& p = probabilities[label];
      if (p.empty()) p.assign(best.size(), 0.0f);
      kept = &p;
    }
    const uint8_t ownRank = rank.at(label);
    index.forEachPixel(slice, [&](std::size_t pixel, std::size_t voxel) {
      const float p = plane[pixel];
      const auto q = uint8_t(std::lround(std::clamp(p, 0.0f, 1.0f) * 255.0f));
      if (q > best[voxel] || (q == best[voxel] && q > 0 && ownRank < winner[voxel]))
        best[voxel] = q, winner[voxel] = ownRank;
      if (kept) (*kept)[voxel] = p;
    });
  }
};

// A private copy of `model` tuned to the scan's examples (Adaptation.h).
std::shared_ptr<inference::Model> adapted(const inference::Model& model, const NetworkVolume& scan,
                                          const ExampleSet& examples, const PipelineOptions& options,
                                          const std::function<bool(double)>& progress, int64_t& iterations) {
  auto copy = model.clone();
  std::vector<inference::ScanStructure> structures;
  for (const LabelExamples& label : examples.labels) {
    inference::ScanStructure s;
    s.label = label.label;
    for (const SliceExample& e : label.slices) s.examples.push_back({e.slice, e.mask});
    structures.push_back(std::move(s));
  }
  inference::AdaptationOptions adaptation;
  adaptation.seconds = options.adaptSeconds;
  adaptation.maxIterations = options.adaptIterations;
  adaptation.learningRate = options.adaptLearningRate;
  adaptation.seed = options.seed;
  adaptation.axis = static_cast<inference::SliceAxis>(int(examples.axis));
  const inference::AdaptationReport report = inference::adaptToScan(*copy, scan.view(), structures, adaptation, progress);
  if (report.cancelled) throw PipelineCancelled();
  iterations = report.iterations;
  return copy;
}

// The examples stay exactly as painted: on an example slice the structure is its mask, nothing more.
void keepExamplesAsPainted(core::LabelMap& labels, const ExampleSet& examples) {
  const PlaneIndex index(labels.geometry().size, examples.axis);
  uint16_t* out = labels.voxels().data<uint16_t>();
  for (const LabelExamples& label : examples.labels)
    for (const SliceExample& s : label.slices)
      index.forEachPixel(s.slice, [&](std::size_t pixel, std::size_t voxel) {
        if (s.mask[pixel]) out[voxel] = label.label;
        else if (out[voxel] == label.label) out[voxel] = 0;
      });
}

// Clears each structure outside the slice range the user gave it.
void keepWithinSliceRanges(core::LabelMap& labels, const std::map<uint16_t, std::pair<int64_t, int64_t>>& ranges,
                           core::Axis axis) {
  if (ranges.empty()) return;
  const PlaneIndex index(labels.geometry().size, axis);
  uint16_t* out = labels.voxels().data<uint16_t>();
  for (int64_t s = 0; s < index.slices(); ++s)
    index.forEachPixel(s, [&](std::size_t, std::size_t voxel) {
      const auto range = ranges.find(out[voxel]);
      if (range != ranges.end() && (s < range->second.first || s > range->second.second)) out[voxel] = 0;
    });
}

// Uncertainty of a quantised winning probability: 255 at p = 0.5, 0 at p = 0 or 1.
uint8_t uncertaintyOf(uint8_t best) { return uint8_t(255 - std::abs(2 * int(best) - 255)); }

// Per slice: the mean uncertainty over the band where some structure is plausible (p > 0.05).
std::vector<double> sliceUncertainty(const std::vector<uint8_t>& best, const PlaneIndex& index) {
  std::vector<double> out(std::size_t(index.slices()), 0.0);
  for (int64_t s = 0; s < index.slices(); ++s) {
    double sum = 0;
    int64_t n = 0;
    index.forEachPixel(s, [&](std::size_t, std::size_t voxel) {
      if (best[voxel] > 12) sum += uncertaintyOf(best[voxel]) / 255.0, ++n;
    });
    out[std::size_t(s)] = n ? sum / double(n) : 0.0;
  }
  return out;
}

}  // namespace

Pipeline::Pipeline(std::shared_ptr<inference::Model> model) : model_(std::move(model)) {
  if (!model_) throw core::Error(core::ErrorCode::InvalidArgument, "the segmentation pipeline needs a model");
}

PipelineResult Pipeline::run(const PipelineInput& input, const PipelineOptions& options,
                             const PipelineCallback& progress) const {
  const FreedMemoryReturn returnFreedMemory;  // first made, so last destroyed: after every buffer below
  const auto start = Clock::now();
  if (!input.image || input.image->isNull())
    throw core::Error(core::ErrorCode::InvalidArgument, "open an image before segmenting");
  const core::Volume& image = *input.image;
  const bool crossScan = input.support != nullptr;
  if (crossScan && (!input.support->image || input.support->image->isNull()))
    throw core::Error(core::ErrorCode::InvalidArgument, "the support scan has no image");
  const ExampleSet& examples = crossScan ? input.support->examples : input.examples;
  checkExamples(examples, crossScan ? input.support->image->size() : image.size(),
                crossScan ? "in the support scan" : "on this scan");
  MemoryNeed need;
  need.voxels = image.voxelCount();
  need.supportVoxels = crossScan ? input.support->image->voxelCount() : 0;
  need.structures = examples.labels.size();
  need.keepProbabilities = options.keepProbabilities;
  requireMemoryFor(need, image.size(), options.memoryBudgetBytes);

  // The network's view of the scan (and of the support scan).
  PipelineResult result;
  result.axis = examples.axis;
  result.modality = resolveModality(options.modality, image, input.dicomModality);
  const inference::Preprocessing preprocessing = model_->info().preprocessing;
  NetworkVolume query(image, result.modality, preprocessing);
  std::unique_ptr<NetworkVolume> supportVolume;
  if (crossScan)
    supportVolume = std::make_unique<NetworkVolume>(
        *input.support->image,
        resolveModality(input.support->modality, *input.support->image, input.support->dicomModality), preprocessing);
  const ExampleSet networkExamples = flipped(examples, crossScan ? *supportVolume : query);
  result.timing.prepare = since(start);

  const bool adapt = options.adaptSeconds > 0 && options.adaptIterations > 0 && !crossScan;
  const double adaptShare = adapt ? 0.5 : 0.0;  // of the progress bar
  std::shared_ptr<inference::Model> model = model_;
  if (adapt) {
    const auto adaptStart = Clock::now();
    // One thread: measured 36 s against 43 s with LibTorch splitting each operation over 2 cores.
    std::optional<inference::SingleThreadedOps> single;
    if (model_->device() != inference::Device::Cuda) single.emplace();
    model = adapted(*model_, query, networkExamples, options, [&](double f) {
      return !progress || progress({"adapting", adaptShare * f, std::max(0.0, options.adaptSeconds - since(adaptStart))});
    }, result.adaptIterations);
    result.timing.adapt = since(adaptStart);
  }

  // Every structure in turn; the query's features are computed once and shared.
  const auto segmentStart = Clock::now();
  const inference::VolumeView supportView = crossScan ? supportVolume->view() : inference::VolumeView{};
  auto segmenter = std::make_unique<inference::SliceSegmenter>(
      model, query.view(), static_cast<inference::SliceAxis>(int(examples.axis)),
      inference::SliceSegmenter::kDefaultFeatureCacheBytes, options.mirror);
  const PlaneIndex index(image.size(), examples.axis);
  const core::SliceLayout layout = core::sliceLayout(image.size(), examples.axis);
  const core::Vec3& spacing = image.geometry().spacing;
  const double pixelMm = std::min(spacing[std::size_t(layout.inPlaneU)], spacing[std::size_t(layout.inPlaneV)]);
  PropagationSettings settings;
  settings.propagate = options.propagate;
  settings.originWeight = options.originWeight;
  settings.continuityMm = options.continuityMm;
  settings.stopFraction = options.stopFraction;
  settings.minResemblance = options.minResemblance;
  settings.seed = options.seed;
  const float threshold = float(options.threshold);

  Fusion fusion(image.size(), examples.axis, options.keepProbabilities, networkExamples.labels);
  const int64_t totalTicks = index.slices() * int64_t(networkExamples.labels.size());
  std::mutex progressMutex;
  int64_t ticks = 0;
  // Called from every worker: progress goes out one call at a time.
  const SliceTick tick = [&](int64_t slices) {
    const std::lock_guard<std::mutex> lock(progressMutex);
    ticks += slices;
    if (!progress) return true;
    const double fraction = double(ticks) / double(totalTicks);
    return progress({"segmenting", adaptShare + (1 - adaptShare) * fraction, since(segmentStart) / fraction * (1 - fraction)});
  };
  // Per structure what its tasks refer to; the tasks of all structures then run side by side.
  struct Structure {
    uint16_t label = 0;
    std::unique_ptr<IntensityGate> gate;
    PlaneFilter filter;
    PlaneSink sink;
    std::unique_ptr<Propagation> propagation;
  };
  std::vector<std::unique_ptr<Structure>> structures;
  for (const LabelExamples& label : networkExamples.labels) {
    auto& s = *structures.emplace_back(std::make_unique<Structure>());
    s.label = label.label;
    if (options.intensityGate > 0 && !crossScan)
      s.gate = std::make_unique<IntensityGate>(query, examples.axis, label, options.intensityGate, options.gateSmoothing);
    // The decision threshold moved to `threshold` (piecewise linear, so 0.5 stays the cut downstream),
    // then the intensity gate.
    s.filter = [threshold, gate = s.gate.get()](int64_t slice, std::vector<float>& p) {
      if (threshold != 0.5f)
        for (float& v : p) v = v < threshold ? 0.5f * v / threshold : 0.5f + 0.5f * (v - threshold) / (1 - threshold);
      if (gate) gate->apply(slice, p);
    };
    s.sink = [&fusion, value = label.label](int64_t slice, const std::vector<float>& p) { fusion.add(value, slice, p); };
    s.propagation = std::make_unique<Propagation>(
        *segmenter, label, index.width(), index.height(), pixelMm, settings, s.sink, tick, s.filter,
        crossScan ? &supportView : nullptr,
        crossScan ? core::sliceLayout(input.support->image->size(), examples.axis).count : 0);
  }
  // One worker per CPU thread, each running its operations alone; a GPU takes one task at a time.
  const bool onGpu = model->device() == inference::Device::Cuda;
  const int workers = onGpu ? 1 : std::max(1, inference::queryRuntime().cpuThreads);
  for (auto phase : {&Propagation::exampleTasks, &Propagation::segmentTasks}) {
    std::vector<PropagationTask> tasks;
    for (const auto& s : structures) {
      std::vector<PropagationTask> own = ((*s->propagation).*phase)();
      tasks.insert(tasks.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
    }
    if (!runTasks(tasks, workers, !onGpu)) throw PipelineCancelled();
  }
  if (!crossScan)
    for (const auto& s : structures) {
      result.exampleDice[s->label] = s->propagation->selfDice(false);
      result.exampleDecisionDice[s->label] = s->propagation->selfDice(true);
    }
  result.timing.segment = since(segmentStart);
  // What only the network needed goes before the full-size results are made (the peak of a large scan).
  segmenter.reset();
  query.releaseVoxels();
  supportVolume.reset();

  // Back in the scan's voxel order: the winners, cleaned up.
  const auto finishStart = Clock::now();
  query.flip(fusion.best);
  query.flip(fusion.winner);
  for (auto& [value, p] : fusion.probabilities) query.flip(p);
  result.labels = core::LabelMap(image.geometry(), core::PixelType::UInt16);
  uint16_t* out = result.labels.voxels().data<uint16_t>();
  for (std::size_t i = 0; i < fusion.best.size(); ++i) out[i] = fusion.best[i] > 127 ? fusion.values[fusion.winner[i]] : 0;
  std::vector<uint8_t>().swap(fusion.winner);
  keepWithinSliceRanges(result.labels, options.sliceRanges, examples.axis);
  for (const LabelExamples& label : examples.labels) {
    if (options.keepConnected) {
      if (crossScan) core::keepLargestComponent(result.labels, label.label);
      else core::keepConnectedTo(result.labels, label.label, exampleVoxels(label, image.size(), examples.axis));
    }
    if (options.fillHoles) core::fillHolesInSlices(result.labels, label.label, examples.axis);
  }
  if (!crossScan) keepExamplesAsPainted(result.labels, examples);
  result.sliceUncertainty = sliceUncertainty(fusion.best, index);
  result.uncertainty = std::move(fusion.best);
  for (uint8_t& u : result.uncertainty) u = uncertaintyOf(u);
  result.probabilities = std::move(fusion.probabilities);
  result.timing.finish = since(finishStart);
  return result;
}

}  // namespace protolabel::segmentation
