#include "Propagation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "SliceMasks.h"

namespace protolabel::segmentation {

namespace {

std::vector<uint8_t> threshold(const std::vector<float>& p) {
  std::vector<uint8_t> m(p.size());
  std::transform(p.begin(), p.end(), m.begin(), [](float v) { return uint8_t(v > 0.5f); });
  return m;
}

std::vector<float> asProbability(const std::vector<uint8_t>& mask) {
  std::vector<float> p(mask.size());
  std::transform(mask.begin(), mask.end(), p.begin(), [](uint8_t v) { return v ? 1.0f : 0.0f; });
  return p;
}

double position(int64_t index, int64_t count) { return count > 1 ? double(index) / double(count - 1) : 0.5; }

}  // namespace

bool propagate(inference::SliceSegmenter& segmenter, const LabelExamples& examples, int64_t width, int64_t height,
               double pixelMm, const PropagationSettings& settings, const PlaneSink& sink, const SliceTick& tick,
               const PlaneFilter& filter, double* selfDice, const inference::VolumeView* exampleVolume,
               int64_t exampleVolumeSlices) {
  const int64_t slices = segmenter.sliceCount();
  const auto& ex = examples.slices;
  std::vector<int> handles;
  for (const SliceExample& e : ex)
    handles.push_back(segmenter.addSupport(e.slice, e.mask, settings.seed * 1000003ULL + examples.label * 7919ULL + uint64_t(e.slice),
                                           exampleVolume));

  if (selfDice && !exampleVolume) {
    int64_t both = 0, sum = 0;
    for (std::size_t i = 0; i < ex.size(); ++i) {
      const std::vector<uint8_t> own = threshold(segmenter.probability(ex[i].slice, handles[i]));
      for (std::size_t k = 0; k < own.size(); ++k) {
        const bool truth = ex[i].mask[k] != 0;
        both += own[k] && truth;
        sum += own[k] + truth;
      }
    }
    *selfDice = sum ? 2.0 * double(both) / double(sum) : 1.0;
  }

  if (exampleVolume || !settings.propagate) {
    // Every slice against the nearest example (by relative position when it lies on another scan).
    const int64_t exampleSlices = exampleVolume ? exampleVolumeSlices : slices;
    for (int64_t q = 0; q < slices; ++q) {
      std::size_t nearest = 0;
      for (std::size_t i = 1; i < ex.size(); ++i)
        if (std::abs(position(ex[i].slice, exampleSlices) - position(q, slices)) <
            std::abs(position(ex[nearest].slice, exampleSlices) - position(q, slices)))
          nearest = i;
      if (!exampleVolume && ex[nearest].slice == q) sink(q, asProbability(ex[nearest].mask));
      else {
        std::vector<float> p = segmenter.probability(q, handles[nearest]);
        if (filter) filter(q, p);
        sink(q, p);
      }
      if (!tick()) return false;
    }
    return true;
  }

  const int64_t radius = std::max<int64_t>(1, int64_t(std::ceil(settings.continuityMm / std::max(pixelMm, 1e-3))));
  // Sweeps: outward from the outermost examples, and from both ends into every gap between two.
  struct Sweep {
    std::size_t origin;
    int64_t last;  // the last slice this sweep may reach
    int step;
  };
  std::vector<Sweep> sweeps;
  for (std::size_t i = 0; i < ex.size(); ++i) {
    const int64_t below = i == 0 ? 0 : (ex[i - 1].slice + ex[i].slice) / 2 + 1;
    const int64_t above = i + 1 == ex.size() ? slices - 1 : (ex[i].slice + ex[i + 1].slice) / 2;
    sweeps.push_back({i, below, -1});
    sweeps.push_back({i, above, +1});
  }
  for (std::size_t i = 0; i < ex.size(); ++i) sink(ex[i].slice, asProbability(ex[i].mask));

  for (const Sweep& sweep : sweeps) {
    const SliceExample& origin = ex[sweep.origin];
    const int64_t originArea = countSet(origin.mask);
    const int64_t stopArea = std::max<int64_t>(3, int64_t(std::ceil(settings.stopFraction * double(originArea))));
    std::vector<uint8_t> previous = origin.mask;
    int64_t previousSlice = origin.slice;
    for (int64_t q = origin.slice + sweep.step; sweep.step > 0 ? q <= sweep.last : q >= sweep.last; q += sweep.step) {
      std::vector<float> p = segmenter.probability(q, handles[sweep.origin]);
      if (previousSlice != origin.slice && settings.originWeight < 1) {
        int h = -1;
        try {
          h = segmenter.addSupport(previousSlice, previous, settings.seed * 1000003ULL + uint64_t(previousSlice));
        } catch (const inference::EngineError& e) {
          // A tip too small for the model's resolution: the example alone decides this slice.
          if (e.code() != inference::EngineError::Code::EmptySupport) throw;
        }
        if (h >= 0) {
          const std::vector<float> fromPrevious = segmenter.probability(q, h);
          segmenter.releaseSupport(h);
          const float w = float(settings.originWeight);
          for (std::size_t i = 0; i < p.size(); ++i) p[i] = w * p[i] + (1 - w) * fromPrevious[i];
        }
      }
      if (filter) filter(q, p);
      // The structure continues only where it touches the previous slice's, widened by the continuity radius.
      const std::vector<uint8_t> kept = piecesTouching(threshold(p), dilate(previous, width, height, radius), width, height);
      const int64_t area = countSet(kept);
      bool ends = area < stopArea;
      if (!ends && settings.minResemblance > -1) {
        const double r = segmenter.resemblance(q, kept, handles[sweep.origin]);
        ends = !(r >= settings.minResemblance);
      }
      if (!tick()) return false;
      if (ends) break;
      for (std::size_t i = 0; i < p.size(); ++i)
        if (!kept[i]) p[i] = std::min(p[i], 0.5f);
      sink(q, p);
      previous = kept;
      previousSlice = q;
    }
  }
  return true;
}

}  // namespace protolabel::segmentation
