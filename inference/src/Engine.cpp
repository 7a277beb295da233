#include "protolabel/inference/Engine.h"

#include <chrono>
#include <cmath>
#include <algorithm>
#include <map>

#include <torch/torch.h>

#include "protolabel/inference/SliceSegmenter.h"

namespace protolabel::inference {

namespace {

using Code = EngineError::Code;

double normalisedPosition(int64_t index, int64_t count) { return count > 1 ? double(index) / double(count - 1) : 0.5; }

int64_t sliceCount(const VolumeView& v, SliceAxis axis) { return v.size[std::size_t(axis)]; }
int64_t slicePixels(const VolumeView& v, SliceAxis axis) {
  return sliceCount(v, axis) > 0 ? v.voxelCount() / sliceCount(v, axis) : 0;
}

// Every support slice checked before any work, so a bad one fails fast with a clear message.
void validateSupports(const SegmentationRequest& request) {
  if (request.labels.empty()) throw EngineError(Code::EmptySupport, "no label has a support slice");
  for (const LabelSupport& label : request.labels) {
    if (label.slices.empty())
      throw EngineError(Code::EmptySupport, "label " + std::to_string(label.label) + " has no support slice");
    const VolumeView& volume = label.volume ? *label.volume : request.query;
    for (const SupportSlice& s : label.slices) {
      const std::string where = "label " + std::to_string(label.label) + ", support slice " + std::to_string(s.index);
      if (s.index < 0 || s.index >= sliceCount(volume, request.axis))
        throw EngineError(Code::SupportOutOfRange, where + " lies outside the volume (0.." +
                                                       std::to_string(sliceCount(volume, request.axis) - 1) + ")");
      if (int64_t(s.mask.size()) != slicePixels(volume, request.axis))
        throw EngineError(Code::InvalidInput, where + ": the mask does not cover the slice");
      if (std::all_of(s.mask.begin(), s.mask.end(), [](uint8_t v) { return v == 0; }))
        throw EngineError(Code::EmptySupport, where + ": the mask is empty; paint the structure first");
    }
  }
}

}  // namespace

struct Engine::Impl {
  std::shared_ptr<Model> model;
};

Engine::Engine(std::shared_ptr<Model> model) : impl_(std::make_unique<Impl>()) { impl_->model = std::move(model); }
Engine::~Engine() = default;

SegmentationResult Engine::segment(const SegmentationRequest& request, const ProgressCallback& progress) {
  c10::InferenceMode inferenceOnly;
  const SliceAxis axis = request.axis;
  // Without the cache every support is re-encoded for every query slice, as the reference does.
  SliceSegmenter segmenter(impl_->model, request.query, axis, request.cacheSupport ? SliceSegmenter::kDefaultFeatureCacheBytes : 0);
  validateSupports(request);
  const int64_t slices = segmenter.sliceCount();

  std::vector<int64_t> targets = request.querySlices;
  if (targets.empty())
    for (int64_t i = 0; i < slices; ++i) targets.push_back(i);
  for (int64_t q : targets)
    if (q < 0 || q >= slices)
      throw EngineError(Code::InvalidInput, "query slice " + std::to_string(q) + " lies outside the volume");

  // Support handles for (label, slice); seeded per support, so cached and uncached runs draw alike.
  std::map<std::pair<std::size_t, std::size_t>, int> cache;
  auto supportFor = [&](std::size_t l, std::size_t s) {
    const LabelSupport& label = request.labels[l];
    const SupportSlice& slice = label.slices[s];
    const uint64_t seed = request.seed * 1000003ULL + l * 7919ULL + uint64_t(slice.index);
    try {
      return segmenter.addSupport(slice.index, slice.mask, seed, label.volume);
    } catch (const EngineError& e) {
      if (e.code() != Code::EmptySupport) throw;
      throw EngineError(Code::EmptySupport, "label " + std::to_string(label.label) + ", " + e.what());
    }
  };

  const int64_t labels = int64_t(request.labels.size());
  torch::Tensor probabilities = torch::zeros({labels, request.query.size[2], request.query.size[1], request.query.size[0]});
  std::vector<bool> segmented(std::size_t(slices), false);
  int64_t done = 0;
  for (int64_t q : targets) {
    const double position = normalisedPosition(q, slices);
    for (std::size_t l = 0; l < request.labels.size(); ++l) {
      const LabelSupport& label = request.labels[l];
      const VolumeView& volume = label.volume ? *label.volume : request.query;
      // Nearest support slice, by relative position (the same as by index within one volume).
      std::size_t nearest = 0;
      double best = 2;
      for (std::size_t s = 0; s < label.slices.size(); ++s) {
        const double d = std::abs(normalisedPosition(label.slices[s].index, sliceCount(volume, axis)) - position);
        if (d < best) best = d, nearest = s;
      }
      int support;
      if (request.cacheSupport) {
        auto key = std::make_pair(l, nearest);
        auto it = cache.find(key);
        if (it == cache.end()) it = cache.emplace(key, supportFor(l, nearest)).first;
        support = it->second;
      } else {
        support = supportFor(l, nearest);
      }
      const std::vector<float> p = segmenter.probability(q, support);
      if (!request.cacheSupport) segmenter.releaseSupport(support);
      const torch::Tensor plane = probabilities[int64_t(l)].select(2 - int(axis), q);
      plane.copy_(torch::from_blob(const_cast<float*>(p.data()), plane.sizes()));
    }
    segmented[std::size_t(q)] = true;
    ++done;
    if (progress && !progress(done, int64_t(targets.size())))
      throw EngineError(Code::Cancelled, "segmentation cancelled after " + std::to_string(done) + " of " +
                                             std::to_string(targets.size()) + " slices");
  }
  SegmentationTiming timing;
  timing.support = segmenter.supportSeconds();
  timing.query = segmenter.querySeconds();
  timing.supportBuilds = segmenter.supportBuilds();

  // Fusion across labels: the most likely label wins where its probability exceeds 0.5.
  const auto fusionStart = std::chrono::steady_clock::now();
  SegmentationResult result;
  result.segmentedSlices = done;
  const auto [best, winner] = probabilities.max(0);
  std::vector<int64_t> values;
  for (const LabelSupport& label : request.labels) values.push_back(label.label);
  const torch::Tensor labelValues = torch::tensor(values).index({winner});
  const torch::Tensor labelMap = torch::where(best > 0.5, labelValues, torch::zeros_like(labelValues)).to(torch::kInt32);
  const torch::Tensor uncertainty = (1 - (2 * best - 1).abs()).contiguous();
  const int64_t voxels = request.query.voxelCount();
  result.labelMap.resize(std::size_t(voxels));
  const int32_t* lm = labelMap.contiguous().data_ptr<int32_t>();
  for (int64_t i = 0; i < voxels; ++i) result.labelMap[std::size_t(i)] = uint16_t(lm[i]);
  result.uncertainty.assign(uncertainty.data_ptr<float>(), uncertainty.data_ptr<float>() + voxels);
  for (int64_t l = 0; l < labels; ++l) {
    const torch::Tensor p = probabilities[l].contiguous();
    result.labels.push_back({request.labels[std::size_t(l)].label,
                             std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + voxels)});
  }
  // Per-slice score: mean uncertainty over the band where some label is plausible (p > 0.05).
  result.sliceUncertainty.assign(std::size_t(slices), -1.0);
  for (int64_t s = 0; s < slices; ++s) {
    if (!segmented[std::size_t(s)]) continue;
    const torch::Tensor band = best.select(2 - int(axis), s) > 0.05;
    const int64_t n = band.sum().item<int64_t>();
    result.sliceUncertainty[std::size_t(s)] =
        n ? uncertainty.select(2 - int(axis), s).masked_select(band).mean().item<double>() : 0.0;
  }
  timing.fusion = std::chrono::duration<double>(std::chrono::steady_clock::now() - fusionStart).count();
  result.timing = timing;
  return result;
}

}  // namespace protolabel::inference
