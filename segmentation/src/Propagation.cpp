#include "Propagation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

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

Propagation::Propagation(inference::SliceSegmenter& segmenter, const LabelExamples& examples, int64_t width,
                         int64_t height, double pixelMm, const PropagationSettings& settings, const PlaneSink& sink,
                         const SliceTick& tick, const PlaneFilter& filter, const inference::VolumeView* exampleVolume,
                         int64_t exampleVolumeSlices)
    : segmenter_(segmenter), examples_(examples), width_(width), height_(height), pixelMm_(pixelMm),
      settings_(settings), sink_(sink), tick_(tick), filter_(filter), exampleVolume_(exampleVolume),
      exampleVolumeSlices_(exampleVolumeSlices), handles_(examples.slices.size(), -1),
      network_(examples.slices.size()), decided_(examples.slices.size()) {}

void Propagation::Agreement::add(const std::vector<uint8_t>& own, const std::vector<uint8_t>& truth) {
  for (std::size_t k = 0; k < own.size(); ++k) {
    const bool inside = truth[k] != 0;
    both += own[k] && inside;
    sum += own[k] + inside;
  }
}

std::vector<PropagationTask> Propagation::exampleTasks() {
  std::vector<PropagationTask> tasks;
  for (std::size_t i = 0; i < examples_.slices.size(); ++i)
    tasks.push_back([this, i] {
      const SliceExample& e = examples_.slices[i];
      handles_[i] = segmenter_.addSupport(e.slice, e.mask, settings_.seed * 1000003ULL + examples_.label * 7919ULL + uint64_t(e.slice),
                                          exampleVolume_);
      if (exampleVolume_) return true;
      std::vector<float> own = segmenter_.probability(e.slice, handles_[i]);
      network_[i].add(threshold(own), e.mask);
      if (filter_) filter_(e.slice, own);
      decided_[i].add(threshold(own), e.mask);
      return true;
    });
  return tasks;
}

double Propagation::selfDice(bool decided) const {
  if (exampleVolume_) return std::numeric_limits<double>::quiet_NaN();
  Agreement all;
  for (const Agreement& a : decided ? decided_ : network_) all.both += a.both, all.sum += a.sum;
  return all.dice();
}

std::vector<PropagationTask> Propagation::segmentTasks() {
  const int64_t slices = segmenter_.sliceCount();
  const auto& ex = examples_.slices;
  std::vector<PropagationTask> tasks;
  if (exampleVolume_ || !settings_.propagate) {
    // Every slice against the nearest example (by relative position when it lies on another scan).
    const int64_t exampleSlices = exampleVolume_ ? exampleVolumeSlices_ : slices;
    for (int64_t q = 0; q < slices; ++q) {
      std::size_t nearest = 0;
      for (std::size_t i = 1; i < ex.size(); ++i)
        if (std::abs(position(ex[i].slice, exampleSlices) - position(q, slices)) <
            std::abs(position(ex[nearest].slice, exampleSlices) - position(q, slices)))
          nearest = i;
      tasks.push_back([this, nearest, q] {
        const SliceExample& example = examples_.slices[nearest];
        if (!exampleVolume_ && example.slice == q) sink_(q, asProbability(example.mask));
        else {
          std::vector<float> p = segmenter_.probability(q, handles_[nearest]);
          if (filter_) filter_(q, p);
          sink_(q, p);
        }
        return tick_(1);
      });
    }
    return tasks;
  }

  for (const SliceExample& e : ex) sink_(e.slice, asProbability(e.mask));
  // Sweeps: outward from the outermost examples, and from both ends into every gap between two.
  for (std::size_t i = 0; i < ex.size(); ++i) {
    const int64_t below = i == 0 ? 0 : (ex[i - 1].slice + ex[i].slice) / 2 + 1;
    const int64_t above = i + 1 == ex.size() ? slices - 1 : (ex[i].slice + ex[i + 1].slice) / 2;
    tasks.push_back([this, i, below] { return runSweep(i, below, -1); });
    tasks.push_back([this, i, above] { return runSweep(i, above, +1); });
  }
  return tasks;
}

// Segments the slices from example `example` to `last` one by one; each continues the previous
// slice's structure or ends the sweep.
bool Propagation::runSweep(std::size_t example, int64_t last, int step) {
  const SliceExample& origin = examples_.slices[example];
  const int handle = handles_[example];
  const int64_t radius = std::max<int64_t>(1, int64_t(std::ceil(settings_.continuityMm / std::max(pixelMm_, 1e-3))));
  // The slices it may reach; the upward sweep also counts its example's own slice.
  const int64_t share = std::abs(last - origin.slice) + (step > 0 ? 1 : 0);
  const int64_t originArea = countSet(origin.mask);
  const int64_t stopArea = std::max<int64_t>(3, int64_t(std::ceil(settings_.stopFraction * double(originArea))));
  std::vector<uint8_t> previous = origin.mask;
  int64_t previousSlice = origin.slice;
  int64_t done = 0;
  for (int64_t q = origin.slice + step; step > 0 ? q <= last : q >= last; q += step) {
    std::vector<float> p = segmenter_.probability(q, handle);
    if (previousSlice != origin.slice && settings_.originWeight < 1) {
      int h = -1;
      try {
        h = segmenter_.addSupport(previousSlice, previous, settings_.seed * 1000003ULL + uint64_t(previousSlice));
      } catch (const inference::EngineError& e) {
        // A tip too small for the model's resolution: the example alone decides this slice.
        if (e.code() != inference::EngineError::Code::EmptySupport) throw;
      }
      if (h >= 0) {
        const std::vector<float> fromPrevious = segmenter_.probability(q, h);
        segmenter_.releaseSupport(h);
        const float w = float(settings_.originWeight);
        for (std::size_t i = 0; i < p.size(); ++i) p[i] = w * p[i] + (1 - w) * fromPrevious[i];
      }
    }
    if (filter_) filter_(q, p);
    // The structure continues only where it touches the previous slice's, widened by the continuity radius.
    const std::vector<uint8_t> kept = piecesTouching(threshold(p), dilate(previous, width_, height_, radius), width_, height_);
    const int64_t area = countSet(kept);
    bool ends = area < stopArea;
    if (!ends && settings_.minResemblance > -1) {
      const double r = segmenter_.resemblance(q, kept, handle);
      ends = !(r >= settings_.minResemblance);
    }
    ++done;
    if (!tick_(1)) return false;
    if (ends) break;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!kept[i]) p[i] = std::min(p[i], 0.5f);
    sink_(q, p);
    previous = kept;
    previousSlice = q;
  }
  return done == share || tick_(share - done);  // what it did not reach is settled too
}

}  // namespace protolabel::segmentation
