#include "protolabel/segmentation/Pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "Propagation.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/editing/ComponentFilter.h"
#include "protolabel/inference/Adaptation.h"
#include "protolabel/inference/SliceSegmenter.h"
#include "protolabel/segmentation/NetworkVolume.h"

namespace protolabel::segmentation {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Examples moved into a network volume's voxel order.
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

// Per voxel, the most probable structure and its probability (quantised to 0..255), in the network's
// voxel order; plus each structure's own probabilities when kept.
struct Fusion {
  core::Size3 size;
  core::Axis axis;
  std::vector<uint8_t> best;
  std::vector<uint16_t> winner;
  std::map<uint16_t, std::vector<float>> probabilities;
  bool keep = false;

  Fusion(const core::Size3& s, core::Axis a, bool keepProbabilities)
      : size(s), axis(a), best(std::size_t(s[0] * s[1] * s[2]), 0), winner(best.size(), 0), keep(keepProbabilities) {}

  void add(uint16_t label, int64_t slice, const std::vector<float>& plane) {
    const core::SliceLayout L = core::sliceLayout(size, axis);
    const int64_t stride[3] = {1, size[0], size[0] * size[1]};
    std::vector<float>* kept = nullptr;
    if (keep) {
      auto& p = probabilities[label];
      if (p.empty()) p.assign(best.size(), 0.0f);
      kept = &p;
    }
    for (int64_t v = 0; v < L.height; ++v)
      for (int64_t u = 0; u < L.width; ++u) {
        const float p = plane[std::size_t(v * L.width + u)];
        const std::size_t i = std::size_t(slice * stride[int(axis)] + u * stride[L.inPlaneU] + v * stride[L.inPlaneV]);
        const auto q = uint8_t(std::lround(std::clamp(p, 0.0f, 1.0f) * 255.0f));
        if (q > best[i]) best[i] = q, winner[i] = label;
        if (kept) (*kept)[i] = p;
      }
  }
};

}  // namespace

Pipeline::Pipeline(std::shared_ptr<inference::Model> model) : model_(std::move(model)) {
  if (!model_) throw core::Error(core::ErrorCode::InvalidArgument, "the segmentation pipeline needs a model");
}

PipelineResult Pipeline::run(const PipelineInput& input, const PipelineOptions& options,
                             const PipelineCallback& progress) const {
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

  PipelineResult result;
  result.axis = examples.axis;
  result.modality = resolveModality(options.modality, image, input.dicomModality);
  const inference::Preprocessing preprocessing = model_->info().preprocessing;
  const NetworkVolume query(image, result.modality, preprocessing);
  std::unique_ptr<NetworkVolume> supportVolume;
  if (crossScan)
    supportVolume = std::make_unique<NetworkVolume>(
        *input.support->image,
        resolveModality(input.support->modality, *input.support->image, input.support->dicomModality), preprocessing);
  const ExampleSet networkExamples = flipped(examples, crossScan ? *supportVolume : query);
  result.timing.prepare = since(start);

  // Adaptation tunes a private copy of the model to this scan's examples.
  std::shared_ptr<inference::Model> model = model_;
  const bool adapt = options.adaptSeconds > 0 && !crossScan;
  const double adaptShare = adapt ? 0.5 : 0.0;  // of the progress bar
  if (adapt) {
    const auto adaptStart = Clock::now();
    model = model_->clone();
    std::vector<inference::ScanStructure> structures;
    for (const LabelExamples& label : networkExamples.labels) {
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
    const inference::AdaptationReport report = inference::adaptToScan(*model, query.view(), structures, adaptation, [&](double f) {
      return !progress || progress({"adapting", adaptShare * f, std::max(0.0, options.adaptSeconds - since(adaptStart))});
    });
    if (report.cancelled) throw PipelineCancelled();
    result.adaptIterations = report.iterations;
    result.timing.adapt = since(adaptStart);
  }
  const auto segmentStart = Clock::now();
  const inference::SliceAxis axis = static_cast<inference::SliceAxis>(int(examples.axis));
  const inference::VolumeView supportView = crossScan ? supportVolume->view() : inference::VolumeView{};
  inference::SliceSegmenter segmenter(model, query.view(), axis);
  const core::SliceLayout L = core::sliceLayout(image.size(), examples.axis);
  const core::Vec3& spacing = image.geometry().spacing;
  const double pixelMm = std::min(spacing[std::size_t(L.inPlaneU)], spacing[std::size_t(L.inPlaneV)]);

  PropagationSettings settings;
  settings.propagate = options.propagate;
  settings.originWeight = options.originWeight;
  settings.continuityMm = options.continuityMm;
  settings.stopFraction = options.stopFraction;
  settings.seed = options.seed;

  Fusion fusion(image.size(), examples.axis, options.keepProbabilities);
  const int64_t totalTicks = L.count * int64_t(networkExamples.labels.size());
  int64_t ticks = 0;
  for (std::size_t l = 0; l < networkExamples.labels.size(); ++l) {
    const LabelExamples& label = networkExamples.labels[l];
    const int64_t ticksBefore = ticks;
    auto sink = [&](int64_t slice, const std::vector<float>& p) { fusion.add(label.label, slice, p); };
    auto tick = [&] {
      ++ticks;
      if (!progress) return true;
      const double fraction = double(ticks) / double(totalTicks);
      return progress({"segmenting", adaptShare + (1 - adaptShare) * fraction,
                       since(segmentStart) / fraction * (1 - fraction)});
    };
    PlaneFilter gate;
    if (options.intensityGate > 0 && !crossScan) {
      // The examples' intensity statistics on the network's input (CT already windowed).
      double sum = 0, squares = 0;
      int64_t n = 0;
      for (const SliceExample& e : label.slices) {
        const std::vector<float> plane = core::extractSlice(query.voxels().data(), image.size(), examples.axis, e.slice);
        for (std::size_t i = 0; i < plane.size(); ++i)
          if (e.mask[i]) sum += plane[i], squares += double(plane[i]) * plane[i], ++n;
      }
      const double mean = sum / double(std::max<int64_t>(1, n));
      const double sd = std::sqrt(std::max(0.0, squares / double(std::max<int64_t>(1, n)) - mean * mean));
      const float lo = float(mean - options.intensityGate * sd), hi = float(mean + options.intensityGate * sd);
      gate = [&, lo, hi](int64_t slice, std::vector<float>& p) {
        const std::vector<float> plane = core::extractSlice(query.voxels().data(), image.size(), examples.axis, slice);
        for (std::size_t i = 0; i < p.size(); ++i)
          if (plane[i] < lo || plane[i] > hi) p[i] = std::min(p[i], 0.5f);
      };
    }
    const float t = float(options.threshold);
    PlaneFilter filter = [&, t](int64_t slice, std::vector<float>& p) {
      // Moves the decision threshold to t (piecewise linear, so downstream 0.5 stays the cut).
      if (t != 0.5f)
        for (float& v : p) v = v < t ? 0.5f * v / t : 0.5f + 0.5f * (v - t) / (1 - t);
      if (gate) gate(slice, p);
    };
    double selfDice = 0;
    const bool finished = propagate(segmenter, label, L.width, L.height, pixelMm, settings, sink, tick, filter,
                                    crossScan ? nullptr : &selfDice, crossScan ? &supportView : nullptr,
                                    crossScan ? core::sliceLayout(input.support->image->size(), examples.axis).count : 0);
    if (!finished) throw PipelineCancelled();
    if (!crossScan) result.exampleDice[label.label] = selfDice;
    ticks = ticksBefore + L.count;  // a sweep that stopped early counts its whole share
  }
  result.timing.segment = since(segmentStart);

  const auto finishStart = Clock::now();
  query.flip(fusion.best);
  query.flip(fusion.winner);
  for (auto& [value, p] : fusion.probabilities) query.flip(p);
  result.labels = core::LabelMap(image.geometry(), core::PixelType::UInt16);
  uint16_t* out = result.labels.voxels().data<uint16_t>();
  for (std::size_t i = 0; i < fusion.best.size(); ++i) out[i] = fusion.best[i] > 127 ? fusion.winner[i] : 0;
  for (const LabelExamples& label : examples.labels) {
    if (!options.keepConnected) continue;
    if (crossScan) core::keepLargestComponent(result.labels, label.label);
    else core::keepConnectedTo(result.labels, label.label, exampleVoxels(label, image.size(), examples.axis));
  }
  // The examples stay exactly as painted.
  if (!crossScan) {
    const int64_t stride[3] = {1, image.size()[0], image.size()[0] * image.size()[1]};
    for (const LabelExamples& label : examples.labels)
      for (const SliceExample& s : label.slices)
        for (int64_t v = 0; v < L.height; ++v)
          for (int64_t u = 0; u < L.width; ++u) {
            const std::size_t i = std::size_t(s.slice * stride[int(examples.axis)] + u * stride[L.inPlaneU] + v * stride[L.inPlaneV]);
            if (s.mask[std::size_t(v * L.width + u)]) out[i] = label.label;
            else if (out[i] == label.label) out[i] = 0;
          }
  }
  result.uncertainty.resize(fusion.best.size());
  std::transform(fusion.best.begin(), fusion.best.end(), result.uncertainty.begin(),
                 [](uint8_t b) { return uint8_t(255 - std::abs(2 * int(b) - 255)); });
  // Per slice: the mean uncertainty over the band where some structure is plausible (p > 0.05).
  result.sliceUncertainty.assign(std::size_t(L.count), 0.0);
  {
    const int64_t stride[3] = {1, image.size()[0], image.size()[0] * image.size()[1]};
    for (int64_t s = 0; s < L.count; ++s) {
      double sum = 0;
      int64_t n = 0;
      for (int64_t v = 0; v < L.height; ++v)
        for (int64_t u = 0; u < L.width; ++u) {
          const std::size_t i = std::size_t(s * stride[int(examples.axis)] + u * stride[L.inPlaneU] + v * stride[L.inPlaneV]);
          if (fusion.best[i] > 12) sum += result.uncertainty[i] / 255.0, ++n;
        }
      result.sliceUncertainty[std::size_t(s)] = n ? sum / double(n) : 0.0;
    }
  }
  result.probabilities = std::move(fusion.probabilities);
  result.timing.finish = since(finishStart);
  return result;
}

}  // namespace protolabel::segmentation
