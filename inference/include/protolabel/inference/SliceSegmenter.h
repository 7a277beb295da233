#pragma once
// Slice-level access to a CoW model, for callers that choose their supports as they go (the
// segmentation pipeline propagates a structure from slice to slice, each segmented slice becoming the
// next one's support). The query volume is prepared once (z-scored as the reference does), query
// features are computed once per slice and kept within a memory budget, and any slice of the query or
// of another volume can serve as a support with any mask. Every method may be called from several
// threads at once (the pipeline segments structures side by side); supports and cached features are shared.
#include <cstdint>
#include <memory>
#include <vector>

#include "protolabel/inference/Model.h"
#include "protolabel/inference/Types.h"

namespace protolabel::inference {

class SliceSegmenter {
 public:
  static constexpr int64_t kDefaultFeatureCacheBytes = int64_t(512) << 20;
  // `query` (and every support volume passed later) must outlive the segmenter. With `mirror`, every
  // probability is the mean of the episode as given and of its left-right mirror image (support and
  // query mirrored, the result mirrored back): twice the network work.
  SliceSegmenter(std::shared_ptr<Model> model, const VolumeView& query, SliceAxis axis,
                 int64_t featureCacheBytes = kDefaultFeatureCacheBytes, bool mirror = false);
  ~SliceSegmenter();
  SliceSegmenter(const SliceSegmenter&) = delete;
  SliceSegmenter& operator=(const SliceSegmenter&) = delete;

  int64_t sliceCount() const;
  int64_t slicePixels() const;  // pixels of one query slice (u fastest, see core::Slicing)

  // Builds a support from `mask` (non-zero = structure) on `slice` of the query (volume null) or of
  // `volume`; prototype sampling is seeded by `seed`. Throws EngineError(EmptySupport) when the mask is
  // empty or vanishes at the model's resolution, (SupportOutOfRange) for a slice outside the volume.
  int addSupport(int64_t slice, const std::vector<uint8_t>& mask, uint64_t seed, const VolumeView* volume = nullptr);
  void releaseSupport(int support);

  // Foreground probability of every pixel of query slice `slice` against `support`.
  std::vector<float> probability(int64_t slice, int support);

  // How much `region` (a mask on query slice `slice`) looks like the support's structure rather than its
  // background: the cosine of the region's mean feature with the support's foreground mean minus that
  // with its background mean. Around 0 or below: the region is not the structure. NaN for a region
  // that vanishes at the model's resolution.
  double resemblance(int64_t slice, const std::vector<uint8_t>& region, int support);

  // Where the time went (seconds) and how often supports were built.
  double supportSeconds() const;
  double querySeconds() const;
  int64_t supportBuilds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protolabel::inference
