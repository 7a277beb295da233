#include "protolabel/segmentation/Examples.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "protolabel/core/benchmark/FewShotBenchmark.h"

namespace protolabel::segmentation {

ExampleSet examplesFromSession(const core::AnnotationSession& session) {
  ExampleSet set;
  set.axis = session.supportAxis();
  for (const auto& [value, slices] : session.supports()) {
    LabelExamples label;
    label.label = value;
    for (int64_t s : slices) label.slices.push_back({s, session.supportMask(value, s)});
    if (!label.slices.empty()) set.labels.push_back(std::move(label));
  }
  return set;
}

namespace {
template <class ChooseSlices>
ExampleSet examplesOn(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis,
                      ChooseSlices choose) {
  ExampleSet set;
  set.axis = axis;
  std::vector<uint16_t> wanted = values;
  if (wanted.empty())
    for (const auto& [value, count] : labels.histogram()) wanted.push_back(value);
  for (uint16_t value : wanted) {
    LabelExamples label;
    label.label = value;
    for (int64_t s : choose(value)) label.slices.push_back({s, labels.sliceMask(axis, s, value)});
    if (!label.slices.empty()) set.labels.push_back(std::move(label));
  }
  return set;
}
}  // namespace

ExampleSet examplesFromLabels(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis,
                              int shots) {
  const int n = std::max(1, shots);
  return examplesOn(labels, values, axis, [&](uint16_t value) {
    const std::vector<int64_t> holding = labels.slicesContaining(value, axis);
    if (holding.empty()) return std::vector<int64_t>{};
    std::set<int64_t> chosen;
    const double first = double(holding.front()), last = double(holding.back());
    for (int i = 0; i < n; ++i) {
      const double target = first + (last - first) * (2.0 * i + 1.0) / (2.0 * n);
      // The holding slice nearest to the target position.
      chosen.insert(*std::min_element(holding.begin(), holding.end(), [&](int64_t a, int64_t b) {
        return std::abs(double(a) - target) < std::abs(double(b) - target);
      }));
    }
    return std::vector<int64_t>(chosen.begin(), chosen.end());
  });
}

ExampleSet examplesFromPaintedSlices(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis) {
  return examplesOn(labels, values, axis, [&](uint16_t v) { return labels.slicesContaining(v, axis); });
}

ExampleSet examplesFromLabelledScan(const core::LabelMap& labels, const std::vector<uint16_t>& values, core::Axis axis) {
  return examplesOn(labels, values, axis, [&](uint16_t v) { return core::ep1SupportSlices(labels, v, axis); });
}

std::vector<int64_t> exampleVoxels(const LabelExamples& examples, const core::Size3& size, core::Axis axis) {
  const core::SliceLayout L = core::sliceLayout(size, axis);
  const int64_t stride[3] = {1, size[0], size[0] * size[1]};
  std::vector<int64_t> seeds;
  for (const SliceExample& s : examples.slices)
    for (int64_t v = 0; v < L.height; ++v)
      for (int64_t u = 0; u < L.width; ++u)
        if (s.mask[std::size_t(v * L.width + u)])
          seeds.push_back(s.slice * stride[int(axis)] + u * stride[L.inPlaneU] + v * stride[L.inPlaneV]);
  return seeds;
}

}  // namespace protolabel::segmentation
