#include "protolabel/inference/Engine.h"

#include <chrono>
#include <cmath>
#include <map>

#include "ModelImpl.h"
#include "SliceFrame.h"
#include "nn/Draws.h"

namespace protolabel::inference {

namespace {

using Code = EngineError::Code;

// A volume prepared as the reference does: z-scored over the whole volume, held as Z x Y x X.
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

PreparedVolume prepare(const VolumeView& view, const char* role) {
  if (!view.voxels || view.size[0] < 1 || view.size[1] < 1 || view.size[2] < 1)
    throw EngineError(Code::InvalidInput, std::string("the ") + role + " volume is empty");
  if (view.size[0] < 8 || view.size[1] < 8)
    throw EngineError(Code::InvalidInput, std::string("the ") + role + " volume is too small to segment (under 8 voxels in-plane)");
  PreparedVolume p;
  p.spacing = view.spacing;
  // One pass in double precision, without a float64 copy of a possibly large volume.
  double sum = 0, sumSquares = 0;
  const int64_t n = view.voxelCount();
  for (int64_t i = 0; i < n; ++i) {
    const double v = view.voxels[i];
    if (!std::isfinite(v))
      throw EngineError(Code::NonFiniteVoxels, std::string("the ") + role + " volume contains NaN or infinite voxels");
    sum += v;
    sumSquares += v * v;
  }
  const double mean = sum / double(n);
  const double variance = n > 1 ? std::max(0.0, (sumSquares - double(n) * mean * mean) / double(n - 1)) : 0.0;
  const double std = std::sqrt(variance);
  const torch::Tensor raw = torch::from_blob(const_cast<float*>(view.voxels), {view.size[2], view.size[1], view.size[0]},
                                             torch::kFloat32);
  p.voxels = (raw - mean) / (std > 0 ? std : 1.0);
  p.padValue = p.voxels.min().item<double>();
  return p;
}

// Support-side state: features and prototype sets of one support slice of one label.
struct SupportState {
  nn::PrototypeSets sets;
};

double normalisedPosition(int64_t index, int64_t count) { return count > 1 ? double(index) / double(count - 1) : 0.5; }

// Adds the wall time of `work` to `total`, waiting for the GPU so that its time is counted too.
template <class F>
auto timed(double& total, const torch::Device& device, F&& work) {
  const auto start = std::chrono::steady_clock::now();
  auto result = work();
  if (device.is_cuda()) torch::cuda::synchronize();
  total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

struct Engine::Impl {
  std::shared_ptr<Model> model;
};

Engine::Engine(std::shared_ptr<Model> model) : impl_(std::make_unique<Impl>()) { impl_->model = std::move(model); }
Engine::~Engine() = default;

SegmentationResult Engine::segment(const SegmentationRequest& request, const ProgressCallback& progress) {
  Model::Impl& m = impl_->model->impl();
  nn::CowNet& net = m.net;
  const int64_t input = m.config.inputSize;
  const torch::Device device = m.device;
  torch::NoGradGuard noGrad;
  net->eval();

  if (request.labels.empty()) throw EngineError(Code::EmptySupport, "no label has a support slice");
  const PreparedVolume query = prepare(request.query, "query");
  const SliceAxis axis = request.axis;
  const int64_t slices = query.sliceCount(axis);

  // Prepare every support volume once and validate every support slice before any work.
  std::map<const VolumeView*, PreparedVolume> supportVolumes;
  for (const LabelSupport& label : request.labels) {
    if (label.slices.empty())
      throw EngineError(Code::EmptySupport, "label " + std::to_string(label.label) + " has no support slice");
    if (label.volume && !supportVolumes.count(label.volume)) supportVolumes[label.volume] = prepare(*label.volume, "support");
    const PreparedVolume& volume = label.volume ? supportVolumes[label.volume] : query;
    for (const SupportSlice& s : label.slices) {
      const std::string where = "label " + std::to_string(label.label) + ", support slice " + std::to_string(s.index);
      if (s.index < 0 || s.index >= volume.sliceCount(axis))
        throw EngineError(Code::SupportOutOfRange, where + " lies outside the volume (0.." +
                                                       std::to_string(volume.sliceCount(axis) - 1) + ")");
      const auto [image, frame] = volume.slice(axis, s.index, input);
      if (int64_t(s.mask.size()) != frame.width * frame.height)
        throw EngineError(Code::InvalidInput, where + ": the mask does not cover the slice");
      if (std::all_of(s.mask.begin(), s.mask.end(), [](uint8_t v) { return v == 0; }))
        throw EngineError(Code::EmptySupport, where + ": the mask is empty; paint the structure first");
    }
  }

  auto encode = [&](const torch::Tensor& image2d) {
    return net->encoder->forward(image2d.to(device).expand({1, 3, input, input})).features;
  };
  // Support state for (label, slice): encoder, self-prediction and prototypes. Seeded per support,
  // so the cached and uncached paths draw the same prototypes.
  auto buildSupport = [&](std::size_t labelIndex, std::size_t sliceIndex) {
    const LabelSupport& label = request.labels[labelIndex];
    const SupportSlice& s = label.slices[sliceIndex];
    const PreparedVolume& volume = label.volume ? supportVolumes.at(label.volume) : query;
    const auto [image, frame] = volume.slice(axis, s.index, input);
    const torch::Tensor mask2d =
        torch::from_blob(const_cast<uint8_t*>(s.mask.data()), {frame.height, frame.width}, torch::kUInt8);
    const torch::Tensor mask = frame.maskToModel(mask2d).to(device);
    if (!mask.any().item<bool>())
      throw EngineError(Code::EmptySupport, "label " + std::to_string(label.label) + ", support slice " +
                                                std::to_string(s.index) + ": the mask vanishes at the model's resolution");
    const torch::Tensor features = encode(frame.toModel(image, volume.padValue));
    const nn::SupportPrediction self = net->selfPredict(features, mask);
    nn::SeededDraws draws(request.seed * 1000003ULL + labelIndex * 7919ULL + uint64_t(s.index));
    return SupportState{net->prototypes(features, mask, self.mask, draws)};
  };
  SegmentationTiming timing;
  auto supportFor = [&](std::size_t l, std::size_t s) {
    ++timing.supportBuilds;
    return timed(timing.support, device, [&] { return buildSupport(l, s); });
  };
  std::map<std::pair<std::size_t, std::size_t>, SupportState> cache;

  std::vector<int64_t> targets = request.querySlices;
  if (targets.empty())
    for (int64_t i = 0; i < slices; ++i) targets.push_back(i);
  for (int64_t q : targets)
    if (q < 0 || q >= slices)
      throw EngineError(Code::InvalidInput, "query slice " + std::to_string(q) + " lies outside the volume");

  const int64_t labels = int64_t(request.labels.size());
  torch::Tensor probabilities = torch::zeros({labels, query.voxels.size(0), query.voxels.size(1), query.voxels.size(2)});
  std::vector<bool> segmented(std::size_t(slices), false);
  int64_t done = 0;
  for (int64_t q : targets) {
    const auto [image, frame] = query.slice(axis, q, input);
    const torch::Tensor features =
        timed(timing.query, device, [&] { return encode(frame.toModel(image, query.padValue)); });
    const double position = normalisedPosition(q, slices);
    for (std::size_t l = 0; l < request.labels.size(); ++l) {
      const LabelSupport& label = request.labels[l];
      const PreparedVolume& volume = label.volume ? supportVolumes.at(label.volume) : query;
      // Nearest support slice, by relative position (the same as by index within one volume).
      std::size_t nearest = 0;
      double best = 2;
      for (std::size_t s = 0; s < label.slices.size(); ++s) {
        const double d = std::abs(normalisedPosition(label.slices[s].index, volume.sliceCount(axis)) - position);
        if (d < best) best = d, nearest = s;
      }
      nn::PrototypeSets sets;
      if (request.cacheSupport) {
        auto key = std::make_pair(l, nearest);
        auto it = cache.find(key);
        if (it == cache.end()) it = cache.emplace(key, supportFor(l, nearest)).first;
        sets = it->second.sets;
      } else {
        sets = supportFor(l, nearest).sets;
      }
      timed(timing.query, device, [&] {
        const torch::Tensor fg = net->segment(features, sets).probabilities[0][1].cpu();
        probabilities[int64_t(l)].select(2 - int(axis), q).copy_(frame.fromModel(fg));
        return 0;
      });
    }
    segmented[std::size_t(q)] = true;
    ++done;
    if (progress && !progress(done, int64_t(targets.size())))
      throw EngineError(Code::Cancelled, "segmentation cancelled after " + std::to_string(done) + " of " +
                                             std::to_string(targets.size()) + " slices");
  }

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
