#pragma once
// The reference's episode sampler (ADNet): a random volume, a random region id (supervoxel, or label
// for supervised episodes), two adjacent slices that both contain it with at least `minForeground`
// pixels in the larger one; support and query swapped with probability 0.5.
#include <torch/torch.h>

#include <random>
#include <vector>

#include "TrainingVolume.h"

namespace protolabel::inference::training {

struct Episode {
  torch::Tensor supportImage, supportMask;  // H x W float, mask 0/1
  torch::Tensor queryImage, queryMask;
};

class EpisodeSampler {
 public:
  // Throws EngineError(InvalidInput) when no volume offers a single valid pair.
  EpisodeSampler(const std::vector<TrainingVolume>& volumes, bool supervised, int64_t minForeground);
  Episode sample(std::mt19937_64& rng) const;
  std::size_t candidatePairs() const;

 private:
  struct Region {
    int32_t id;
    std::vector<int64_t> firstSlices;  // z such that (z, z+1) is a valid pair
  };
  struct VolumeCandidates {
    std::size_t volume;
    std::vector<Region> regions;
  };
  const std::vector<TrainingVolume>& volumes_;
  bool supervised_;
  std::vector<VolumeCandidates> candidates_;
};

}  // namespace protolabel::inference::training
