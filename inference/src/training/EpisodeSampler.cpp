#include "EpisodeSampler.h"

#include <algorithm>
#include <map>

#include "protolabel/inference/Types.h"

namespace protolabel::inference::training {

namespace {

// counts[z][id]: pixels of every id on every slice of a Z x Y x X id volume.
std::vector<std::vector<int64_t>> countsPerSlice(const torch::Tensor& ids, int64_t maxId) {
  std::vector<std::vector<int64_t>> counts;
  for (int64_t z = 0; z < ids.size(0); ++z) {
    const torch::Tensor c = torch::bincount(ids[z].flatten(), {}, maxId + 1).contiguous();
    counts.emplace_back(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + maxId + 1);
  }
  return counts;
}

std::size_t pick(std::mt19937_64& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

}  // namespace

EpisodeSampler::EpisodeSampler(const std::vector<TrainingVolume>& volumes, const SamplerOptions& options)
    : volumes_(volumes), options_(options) {
  for (std::size_t v = 0; v < volumes.size(); ++v) {
    const TrainingVolume& volume = volumes[v];
    const int64_t slices = volume.image.size(0);
    if (options.supervisedFraction < 1) {
      const int64_t maxId = volume.supervoxels.max().item<int64_t>();
      if (maxId > 0) {
        const auto counts = countsPerSlice(volume.supervoxels, maxId);
        std::map<int32_t, Region> regions;
        for (int64_t z = 0; z + 1 < slices; ++z) {
          const auto &a = counts[std::size_t(z)], &b = counts[std::size_t(z + 1)];
          for (int64_t id = 1; id <= maxId; ++id)
            if (a[std::size_t(id)] > 0 && b[std::size_t(id)] > 0 &&
                std::max(a[std::size_t(id)], b[std::size_t(id)]) >= options.minForeground) {
              Region& r = regions[int32_t(id)];
              r.id = int32_t(id);
              r.firstSlices.push_back(z);
            }
        }
        VolumeRegions c{v, {}};
        for (auto& [id, region] : regions) c.regions.push_back(std::move(region));
        if (!c.regions.empty()) supervoxels_.push_back(std::move(c));
      }
    }
    if (options.supervisedFraction > 0) {
      const int64_t maxId = volume.labels.max().item<int64_t>();
      if (maxId <= 0) continue;
      const auto counts = countsPerSlice(volume.labels, maxId);
      for (int64_t id = 1; id <= maxId; ++id) {
        Structure s{v, int32_t(id), {}, {}, {}};
        for (int64_t z = 0; z < slices; ++z) {
          const int64_t n = counts[std::size_t(z)][std::size_t(id)];
          if (n > 0) s.querySlices.push_back(z);
          if (n >= options.minForeground) s.supportSlices.push_back(z);
        }
        if (s.supportSlices.empty() || s.querySlices.size() < 2) continue;
        const int64_t first = s.querySlices.front(), last = s.querySlices.back();
        for (int64_t z = std::max<int64_t>(0, first - options.negativeMargin);
             z <= std::min(slices - 1, last + options.negativeMargin); ++z)
          if (counts[std::size_t(z)][std::size_t(id)] == 0) s.emptySlices.push_back(z);
        structures_.push_back(std::move(s));
      }
    }
  }
  if (options.supervisedFraction < 1 && supervoxels_.empty() && structures_.empty())
    throw EngineError(EngineError::Code::InvalidInput,
                      "no training volume has two adjacent slices sharing a region of at least " +
                          std::to_string(options.minForeground) + " pixels");
  if (options.supervisedFraction >= 1 && structures_.empty())
    throw EngineError(EngineError::Code::InvalidInput,
                      "no training volume has a labelled structure of at least " +
                          std::to_string(options.minForeground) + " pixels on a slice and on two slices or more");
}

std::size_t EpisodeSampler::candidatePairs() const {
  std::size_t n = 0;
  for (const auto& c : supervoxels_)
    for (const auto& r : c.regions) n += r.firstSlices.size();
  return n;
}

std::size_t EpisodeSampler::labelledStructures() const { return structures_.size(); }

Episode EpisodeSampler::sample(std::mt19937_64& rng) const {
  const bool wantSupervised = std::bernoulli_distribution(options_.supervisedFraction)(rng);
  if (structures_.empty()) return selfSupervised(rng);
  if (supervoxels_.empty() || wantSupervised) return supervised(rng);
  return selfSupervised(rng);
}

namespace {
Episode frameOf(const TrainingVolume& volume) {
  Episode e;
  e.spacing = {volume.spacing[0], volume.spacing[1]};
  e.padValue = volume.minimum;
  return e;
}
}  // namespace

Episode EpisodeSampler::selfSupervised(std::mt19937_64& rng) const {
  const VolumeRegions& c = supervoxels_[pick(rng, supervoxels_.size())];
  const Region& region = c.regions[pick(rng, c.regions.size())];
  const int64_t z = region.firstSlices[pick(rng, region.firstSlices.size())];
  const TrainingVolume& volume = volumes_[c.volume];
  Episode e = frameOf(volume);
  e.supportImage = volume.image[z];
  e.supportMask = volume.supervoxels[z].eq(region.id).to(torch::kFloat32);
  e.queryImage = volume.image[z + 1];
  e.queryMask = volume.supervoxels[z + 1].eq(region.id).to(torch::kFloat32);
  e.supportSlice = z;
  e.querySlice = z + 1;
  if (std::bernoulli_distribution(0.5)(rng)) {
    std::swap(e.supportImage, e.queryImage);
    std::swap(e.supportMask, e.queryMask);
    std::swap(e.supportSlice, e.querySlice);
  }
  return e;
}

Episode EpisodeSampler::supervised(std::mt19937_64& rng) const {
  const Structure& s = structures_[pick(rng, structures_.size())];
  const TrainingVolume& volume = volumes_[s.volume];
  const int64_t support = s.supportSlices[pick(rng, s.supportSlices.size())];
  Episode e = frameOf(volume);
  e.supervised = true;
  e.negative = !s.emptySlices.empty() && std::bernoulli_distribution(options_.negativeFraction)(rng);
  int64_t query = support;
  if (e.negative) {
    query = s.emptySlices[pick(rng, s.emptySlices.size())];
  } else {
    while (query == support) query = s.querySlices[pick(rng, s.querySlices.size())];
  }
  e.supportImage = volume.image[support];
  e.supportMask = volume.labels[support].eq(s.id).to(torch::kFloat32);
  e.queryImage = volume.image[query];
  e.queryMask = volume.labels[query].eq(s.id).to(torch::kFloat32);
  e.supportSlice = support;
  e.querySlice = query;
  return e;
}

}  // namespace protolabel::inference::training
