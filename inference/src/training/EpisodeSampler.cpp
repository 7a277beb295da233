#include "EpisodeSampler.h"

#include <map>

#include "protolabel/inference/Types.h"

namespace protolabel::inference::training {

EpisodeSampler::EpisodeSampler(const std::vector<TrainingVolume>& volumes, bool supervised, int64_t minForeground)
    : volumes_(volumes), supervised_(supervised) {
  for (std::size_t v = 0; v < volumes.size(); ++v) {
    const torch::Tensor ids = (supervised ? volumes[v].labels : volumes[v].supervoxels);
    const int64_t slices = ids.size(0);
    const int64_t maxId = ids.max().item<int64_t>();
    if (maxId <= 0) continue;
    // Pixel count of every id on every slice.
    std::vector<torch::Tensor> counts;
    for (int64_t z = 0; z < slices; ++z) counts.push_back(torch::bincount(ids[z].flatten(), {}, maxId + 1));
    std::map<int32_t, Region> regions;
    for (int64_t z = 0; z + 1 < slices; ++z) {
      const auto a = counts[std::size_t(z)].accessor<int64_t, 1>(), b = counts[std::size_t(z + 1)].accessor<int64_t, 1>();
      for (int64_t id = 1; id <= maxId; ++id)
        if (a[id] > 0 && b[id] > 0 && std::max(a[id], b[id]) >= minForeground) {
          Region& r = regions[int32_t(id)];
          r.id = int32_t(id);
          r.firstSlices.push_back(z);
        }
    }
    VolumeCandidates c{v, {}};
    for (auto& [id, region] : regions) c.regions.push_back(std::move(region));
    if (!c.regions.empty()) candidates_.push_back(std::move(c));
  }
  if (candidates_.empty())
    throw EngineError(EngineError::Code::InvalidInput,
                      "no training volume has two adjacent slices sharing a region of at least " +
                          std::to_string(minForeground) + " pixels");
}

std::size_t EpisodeSampler::candidatePairs() const {
  std::size_t n = 0;
  for (const auto& c : candidates_)
    for (const auto& r : c.regions) n += r.firstSlices.size();
  return n;
}

Episode EpisodeSampler::sample(std::mt19937_64& rng) const {
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const VolumeCandidates& c = candidates_[pick(candidates_.size())];
  const Region& region = c.regions[pick(c.regions.size())];
  const int64_t z = region.firstSlices[pick(region.firstSlices.size())];
  const TrainingVolume& volume = volumes_[c.volume];
  const torch::Tensor ids = supervised_ ? volume.labels : volume.supervoxels;
  Episode e;
  e.supportImage = volume.image[z];
  e.supportMask = ids[z].eq(region.id).to(torch::kFloat32);
  e.queryImage = volume.image[z + 1];
  e.queryMask = ids[z + 1].eq(region.id).to(torch::kFloat32);
  if (std::bernoulli_distribution(0.5)(rng)) {
    std::swap(e.supportImage, e.queryImage);
    std::swap(e.supportMask, e.queryMask);
  }
  return e;
}

}  // namespace protolabel::inference::training
