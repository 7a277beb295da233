#include "protolabel/ui/SessionSegmentation.h"

#include <algorithm>

#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/display/WindowPresets.h"
#include "protolabel/core/editing/ComponentFilter.h"

namespace protolabel::ui {

inference::VolumeView viewOf(const std::vector<float>& voxels, const core::Volume& volume) {
  inference::VolumeView v;
  v.voxels = voxels.data();
  v.size = volume.size();
  v.spacing = volume.geometry().spacing;
  return v;
}

std::vector<inference::LabelSupport> collectSupports(const core::AnnotationSession& session,
                                                     const SupportVolume* supportVolume) {
  std::vector<inference::LabelSupport> labels;
  if (supportVolume) {
    for (const auto& [value, count] : supportVolume->labels.histogram()) {
      if (!supportVolume->use.empty() && !supportVolume->use.count(value)) continue;
      inference::LabelSupport support;
      support.label = value;
      for (int64_t s : core::ep1SupportSlices(supportVolume->labels, value, core::Axis::Z))
        support.slices.push_back({s, supportVolume->labels.sliceMask(core::Axis::Z, s, value)});
      labels.push_back(std::move(support));
    }
    return labels;
  }
  for (const auto& [value, slices] : session.supports()) {
    inference::LabelSupport support;
    support.label = value;
    for (int64_t s : slices) support.slices.push_back({s, session.supportMask(value, s)});
    labels.push_back(std::move(support));
  }
  return labels;
}

namespace {

// Flips the supports' slice indices and masks like their volume.
void flipSupports(std::vector<inference::LabelSupport>& labels, const core::Size3& size, core::AxisFlips flips) {
  if (!flips.any()) return;
  for (auto& l : labels)
    for (auto& s : l.slices) {
      s.index = core::flipSliceIndex(s.index, size, core::Axis::Z, flips);
      core::flipSliceMask(s.mask, size, core::Axis::Z, flips);
    }
}

}  // namespace

EngineInput::EngineInput(const core::Volume& query, const SupportVolume* supportVolume,
                         std::vector<inference::LabelSupport> labels)
    : querySize_(query.size()),
      queryFlips_(core::flipsToTrainingOrientation(query.geometry())),
      query_(core::networkIntensities(query)) {
  core::flipVolume(query_, querySize_, queryFlips_);
  request_.query = viewOf(query_, query);
  if (supportVolume) {
    const core::AxisFlips flips = core::flipsToTrainingOrientation(supportVolume->image.geometry());
    support_ = core::networkIntensities(supportVolume->image);
    core::flipVolume(support_, supportVolume->image.size(), flips);
    supportView_ = viewOf(support_, supportVolume->image);
    flipSupports(labels, supportVolume->image.size(), flips);
    for (auto& l : labels) l.volume = &supportView_;
  } else {
    flipSupports(labels, querySize_, queryFlips_);
  }
  request_.labels = std::move(labels);
  request_.axis = inference::SliceAxis::Z;
}

void EngineInput::restore(inference::SegmentationResult& result) const {
  if (!queryFlips_.any()) return;
  core::flipVolume(result.labelMap, querySize_, queryFlips_);
  core::flipVolume(result.uncertainty, querySize_, queryFlips_);
  for (auto& l : result.labels) core::flipVolume(l.probability, querySize_, queryFlips_);
  if (queryFlips_.z) std::reverse(result.sliceUncertainty.begin(), result.sliceUncertainty.end());
}

core::Proposal toProposal(const inference::SegmentationResult& result, const core::ImageGeometry& grid,
                          const std::vector<inference::LabelSupport>& labels, const SupportVolume* supportVolume,
                          bool keepConnected) {
  core::Proposal p;
  p.labels = core::LabelMap(grid, core::PixelType::UInt16);
  std::copy(result.labelMap.begin(), result.labelMap.end(), p.labels.voxels().data<uint16_t>());
  if (keepConnected) {
    const int64_t sliceVoxels = grid.size[0] * grid.size[1];
    for (const auto& l : labels) {
      if (supportVolume) {
        core::keepLargestComponent(p.labels, l.label);
        continue;
      }
      std::vector<int64_t> seeds;  // the example voxels (axial slices: mask index + slice offset)
      for (const auto& s : l.slices)
        for (std::size_t i = 0; i < s.mask.size(); ++i)
          if (s.mask[i]) seeds.push_back(s.index * sliceVoxels + int64_t(i));
      core::keepConnectedTo(p.labels, l.label, seeds);
    }
  }
  p.uncertainty.resize(result.uncertainty.size());
  std::transform(result.uncertainty.begin(), result.uncertainty.end(), p.uncertainty.begin(),
                 [](float u) { return uint8_t(std::clamp(u, 0.0f, 1.0f) * 255.0f + 0.5f); });
  p.sliceUncertainty = result.sliceUncertainty;
  p.axis = core::Axis::Z;
  for (const auto& l : labels) p.pending.insert(l.label);
  return p;
}

}  // namespace protolabel::ui
