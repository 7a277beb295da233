#include "protolabel/inference/SliceSegmenter.h"

#include <chrono>
#include <limits>
#include <list>
#include <map>
#include <mutex>

#include "ModelImpl.h"
#include "PreparedVolume.h"
#include "nn/Draws.h"

namespace protolabel::inference {

namespace {
using Code = EngineError::Code;

}  // namespace

struct SliceSegmenter::Impl {
  // Guards everything below that changes after construction (the caches, the supports, the timers):
  // several threads may segment with one segmenter. The network itself is only read (eval, no grad).
  std::mutex mutex;
  std::shared_ptr<Model> model;
  SliceAxis axis;
  PreparedVolume query;
  std::map<const VolumeView*, PreparedVolume> supportVolumes;
  int64_t cacheBudget;
  bool mirror = false;
  // Query features by slice (the mirrored slice's under -1 - slice), least recently used first.
  std::map<int64_t, torch::Tensor> features;
  std::list<int64_t> recency;
  int64_t cachedBytes = 0;
  struct Support {
    nn::PrototypeSets sets;
    nn::PrototypeSets mirroredSets;  // from the mirrored slice and mask (mirror mode only)
    torch::Tensor foreground, background;  // mean features (C) inside and outside the support mask
  };
  std::map<int, Support> supports;
  int nextSupport = 0;
  double supportSeconds = 0, querySeconds = 0;
  int64_t supportBuilds = 0;

  nn::CowNet& net() { return model->impl().net; }
  torch::Device device() const { return model->impl().device; }
  int64_t input() const { return model->impl().config.inputSize; }

  // Features of slice `index` of `volume`, of its left-right mirror image in model space when `mirrored`.
  torch::Tensor encode(const PreparedVolume& volume, int64_t index, bool mirrored) {
    const auto [image, frame] = volume.slice(axis, index, input());
    torch::Tensor in = frame.toModel(image, volume.padValue);
    if (mirrored) in = in.flip({-1});
    return net()->encoder->forward(in.to(device()).expand({1, 3, input(), input()})).features;
  }

  torch::Tensor queryFeatures(int64_t slice, bool mirrored = false) {
    const int64_t key = mirrored ? -1 - slice : slice;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      if (auto it = features.find(key); it != features.end()) {
        recency.remove(key);
        recency.push_back(key);
        return it->second;
      }
    }
    // Encoded without the lock; a thread that encoded the same slice meanwhile wins.
    torch::Tensor f = encode(query, slice, mirrored);
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = features.find(key); it != features.end()) return it->second;
    const int64_t bytes = f.numel() * int64_t(f.element_size());
    while (!recency.empty() && cachedBytes + bytes > cacheBudget) {
      const auto old = features.find(recency.front());
      cachedBytes -= old->second.numel() * int64_t(old->second.element_size());
      features.erase(old);
      recency.pop_front();
    }
    if (bytes <= cacheBudget) {
      features[key] = f;
      recency.push_back(key);
      cachedBytes += bytes;
    }
    return f;
  }

  Support support(int handle) {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = supports.find(handle);
    if (it == supports.end()) throw EngineError(Code::InvalidInput, "unknown support " + std::to_string(handle));
    return it->second;
  }

  // Adds the wall time of `work` to `total` (thread seconds when several threads segment).
  template <class F>
  auto timed(double& total, F&& work) {
    const auto start = std::chrono::steady_clock::now();
    auto result = work();
    if (device().is_cuda()) torch::cuda::synchronize();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::lock_guard<std::mutex> lock(mutex);
    total += seconds;
    return result;
  }
};

SliceSegmenter::SliceSegmenter(std::shared_ptr<Model> model, const VolumeView& query, SliceAxis axis,
                               int64_t featureCacheBytes, bool mirror)
    : impl_(std::make_unique<Impl>()) {
  impl_->mirror = mirror;
  impl_->model = std::move(model);
  impl_->axis = axis;
  impl_->query = prepareVolume(query, "query");
  impl_->cacheBudget = featureCacheBytes;
  impl_->net()->eval();
}

SliceSegmenter::~SliceSegmenter() = default;

int64_t SliceSegmenter::sliceCount() const { return impl_->query.sliceCount(impl_->axis); }

int64_t SliceSegmenter::slicePixels() const {
  const auto [height, width] = impl_->query.planeSize(impl_->axis);
  return height * width;
}

int SliceSegmenter::addSupport(int64_t slice, const std::vector<uint8_t>& mask, uint64_t seed, const VolumeView* volume) {
  c10::InferenceMode inferenceOnly;  // no autograd records, no version counters
  Impl& m = *impl_;
  const PreparedVolume* sourcePointer = &m.query;
  if (volume) {
    const std::lock_guard<std::mutex> lock(m.mutex);
    if (!m.supportVolumes.count(volume)) m.supportVolumes[volume] = prepareVolume(*volume, "support");
    sourcePointer = &m.supportVolumes.at(volume);  // std::map: the entry stays where it is
  }
  const PreparedVolume& source = *sourcePointer;
  const std::string where = "support slice " + std::to_string(slice);
  if (slice < 0 || slice >= source.sliceCount(m.axis))
    throw EngineError(Code::SupportOutOfRange,
                      where + " lies outside the volume (0.." + std::to_string(source.sliceCount(m.axis) - 1) + ")");
  const auto [image, frame] = source.slice(m.axis, slice, m.input());
  if (int64_t(mask.size()) != frame.width * frame.height)
    throw EngineError(Code::InvalidInput, where + ": the mask does not cover the slice");
  if (std::all_of(mask.begin(), mask.end(), [](uint8_t v) { return v == 0; }))
    throw EngineError(Code::EmptySupport, where + ": the mask is empty; paint the structure first");
  Impl::Support support = m.timed(m.supportSeconds, [&] {
    const torch::Tensor mask2d =
        torch::from_blob(const_cast<uint8_t*>(mask.data()), {frame.height, frame.width}, torch::kUInt8);
    const torch::Tensor modelMask = frame.maskToModel(mask2d).to(m.device());
    if (!modelMask.any().item<bool>())
      throw EngineError(Code::EmptySupport, where + ": the mask vanishes at the model's resolution");
    const auto prototypes = [&](bool mirrored) {
      const torch::Tensor features = volume ? m.encode(source, slice, mirrored) : m.queryFeatures(slice, mirrored);
      const torch::Tensor inside = mirrored ? modelMask.flip({-1}) : modelMask;
      const nn::SupportPrediction self = m.net()->selfPredict(features, inside);
      nn::SeededDraws draws(seed);
      return std::make_pair(m.net()->prototypes(self, inside, draws), self);
    };
    auto [sets, self] = prototypes(false);
    Impl::Support built{std::move(sets), {}, self.prototype,
                        nn::maskedAveragePrototype(self.features, modelMask.logical_not())};
    if (m.mirror) built.mirroredSets = prototypes(true).first;
    return built;
  });
  const std::lock_guard<std::mutex> lock(m.mutex);
  ++m.supportBuilds;
  m.supports[m.nextSupport] = std::move(support);
  return m.nextSupport++;
}

void SliceSegmenter::releaseSupport(int support) {
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->supports.erase(support);
}

std::vector<float> SliceSegmenter::probability(int64_t slice, int support) {
  c10::InferenceMode inferenceOnly;  // no autograd records, no version counters
  Impl& m = *impl_;
  if (slice < 0 || slice >= sliceCount())
    throw EngineError(Code::InvalidInput, "query slice " + std::to_string(slice) + " lies outside the volume");
  const Impl::Support s = m.support(support);
  return m.timed(m.querySeconds, [&] {
    const auto frame = m.query.slice(m.axis, slice, m.input()).second;
    torch::Tensor inModel = m.net()->segment(m.queryFeatures(slice), s.sets).probabilities[0][1];
    // Mirror mode: the mean with the mirrored episode (support and query mirrored), mirrored back.
    if (m.mirror)
      inModel = 0.5 * (inModel + m.net()->segment(m.queryFeatures(slice, true), s.mirroredSets).probabilities[0][1].flip({-1}));
    const torch::Tensor fg = frame.fromModel(inModel.cpu()).contiguous();
    return std::vector<float>(fg.data_ptr<float>(), fg.data_ptr<float>() + fg.numel());
  });
}

double SliceSegmenter::resemblance(int64_t slice, const std::vector<uint8_t>& region, int support) {
  c10::InferenceMode inferenceOnly;  // no autograd records, no version counters
  Impl& m = *impl_;
  const Impl::Support s = m.support(support);
  return m.timed(m.querySeconds, [&] {
    const auto frame = m.query.slice(m.axis, slice, m.input()).second;
    if (int64_t(region.size()) != frame.width * frame.height)
      throw EngineError(Code::InvalidInput, "the region does not cover the slice");
    const torch::Tensor mask = frame.maskToModel(
        torch::from_blob(const_cast<uint8_t*>(region.data()), {frame.height, frame.width}, torch::kUInt8)).to(m.device());
    if (!mask.any().item<bool>()) return std::numeric_limits<double>::quiet_NaN();
    const torch::Tensor mean = nn::maskedAveragePrototype(m.net()->upsample(m.queryFeatures(slice))[0], mask);
    namespace F = torch::nn::functional;
    const auto cosine = [&](const torch::Tensor& p) {
      return F::cosine_similarity(mean.unsqueeze(0), p.unsqueeze(0), F::CosineSimilarityFuncOptions().dim(1)).item<double>();
    };
    return cosine(s.foreground) - cosine(s.background);
  });
}

double SliceSegmenter::supportSeconds() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->supportSeconds;
}
double SliceSegmenter::querySeconds() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->querySeconds;
}
int64_t SliceSegmenter::supportBuilds() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->supportBuilds;
}

}  // namespace protolabel::inference
