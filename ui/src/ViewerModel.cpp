#include "protolabel/ui/ViewerModel.h"

#include <algorithm>

#include "protolabel/core/editing/SliceInterpolation.h"

namespace protolabel::ui {

ViewerModel::ViewerModel(QObject* parent) : QObject(parent) {}

void ViewerModel::setImage(core::Volume image, const std::string& sourcePath, std::optional<core::Window> dicomWindow,
                           const std::string& dicomModality) {
  presets_ = core::windowPresets(image, dicomWindow);
  const core::Size3 size = image.size();
  session_.setImage(std::move(image), sourcePath, dicomModality);
  if (!session_.table().find(1)) session_.table().addDefault(1);
  activeLabel_ = 1;
  cursor_ = {size[0] / 2, size[1] / 2, size[2] / 2};
  window_ = presets_.front().window;
  Q_EMIT imageChanged();
  Q_EMIT tableChanged();
  Q_EMIT cursorChanged();
  Q_EMIT windowChanged();
  Q_EMIT undoStateChanged();
  Q_EMIT supportsChanged();
  Q_EMIT proposalChanged();
}

void ViewerModel::setCursor(const std::array<int64_t, 3>& voxel) {
  if (!hasImage()) return;
  const core::Size3& size = session_.image().size();
  std::array<int64_t, 3> clamped;
  for (int a = 0; a < 3; ++a) clamped[std::size_t(a)] = std::clamp<int64_t>(voxel[std::size_t(a)], 0, size[std::size_t(a)] - 1);
  if (clamped == cursor_) return;
  cursor_ = clamped;
  Q_EMIT cursorChanged();
}

void ViewerModel::setSliceIndex(core::Axis axis, int64_t index) {
  std::array<int64_t, 3> c = cursor_;
  c[std::size_t(axis)] = index;
  setCursor(c);
}

void ViewerModel::setWindow(const core::Window& window) {
  window_ = window;
  window_.width = std::max(window_.width, 1e-6);
  Q_EMIT windowChanged();
}

void ViewerModel::setTool(Tool tool) {
  tool_ = tool;
  Q_EMIT toolChanged();
}

void ViewerModel::setActiveLabel(uint16_t value) {
  if (value == 0) return;
  if (!session_.table().find(value)) session_.table().addDefault(value), Q_EMIT tableChanged();
  activeLabel_ = value;
  Q_EMIT activeLabelChanged();
}

void ViewerModel::setBrush(const core::BrushShape& brush) {
  brush_ = brush;
  brush_.radius = std::clamp(brush_.radius, 0.5, 200.0);
  Q_EMIT brushChanged();
}

void ViewerModel::growBrush(int steps) {
  core::BrushShape b = brush_;
  // Finer steps for small brushes, where one voxel matters.
  const double step = b.radius < 5 ? 0.5 : b.radius < 20 ? 1.0 : 5.0;
  b.radius += steps * step;
  setBrush(b);
}

void ViewerModel::setOverlays(const OverlayOptions& options) {
  overlays_ = options;
  Q_EMIT overlaysChanged();
}

void ViewerModel::beginStroke(core::Axis axis, int64_t slice, double u, double v) {
  const uint16_t value = tool_ == Tool::Eraser ? 0 : activeLabel_;
  session_.beginStroke(axis, slice, value, brush_);
  const core::IndexBox box = session_.strokeTo(u, v);
  // Taking over a proposal slice changes the proposal too.
  if (value != 0 && session_.proposal()) Q_EMIT proposalChanged();
  Q_EMIT labelsEdited(box);
}

void ViewerModel::continueStroke(double u, double v) {
  if (!session_.strokeActive()) return;
  const core::IndexBox box = session_.strokeTo(u, v);
  if (!box.empty()) Q_EMIT labelsEdited(box);
}

void ViewerModel::endStroke() {
  if (!session_.strokeActive()) return;
  session_.endStroke();
  Q_EMIT editFinished();
  Q_EMIT undoStateChanged();
  Q_EMIT supportsChanged();
}

void ViewerModel::announceEdit(const core::IndexBox& box) {
  Q_EMIT labelsEdited(box);
  Q_EMIT editFinished();
  Q_EMIT undoStateChanged();
  Q_EMIT supportsChanged();
}

void ViewerModel::fill(core::Axis axis, int64_t slice, int64_t u, int64_t v) {
  const uint16_t value = tool_ == Tool::Eraser ? 0 : activeLabel_;
  const core::IndexBox box = session_.fill(axis, slice, u, v, value);
  if (!box.empty()) announceEdit(box);
}

// Undo and redo restore the whole editor state: voxels, examples, table and proposal together.
void ViewerModel::undo() {
  announceEdit(session_.undo());
  Q_EMIT tableChanged();
  Q_EMIT proposalChanged();
}

void ViewerModel::redo() {
  announceEdit(session_.redo());
  Q_EMIT tableChanged();
  Q_EMIT proposalChanged();
}

void ViewerModel::changeTable(const core::LabelTable& table, const std::string& description) {
  session_.changeTable(table, description);
  Q_EMIT tableChanged();
  Q_EMIT undoStateChanged();
  Q_EMIT editFinished();
}

void ViewerModel::acceptProposal(uint16_t label) {
  const core::IndexBox box = session_.accept(label);
  Q_EMIT labelsEdited(box);
  Q_EMIT proposalChanged();
  Q_EMIT tableChanged();
  Q_EMIT editFinished();
  Q_EMIT undoStateChanged();
}

void ViewerModel::discardProposal(uint16_t label) {
  session_.discard(label);
  Q_EMIT proposalChanged();
}

void ViewerModel::setProposal(core::Proposal proposal) {
  session_.setProposal(std::move(proposal));
  Q_EMIT proposalChanged();
}

void ViewerModel::loadLabels(core::LabelMap labels) {
  session_.loadLabels(std::move(labels));
  if (!session_.table().entries().empty()) activeLabel_ = session_.table().entries().front().value;
  Q_EMIT tableChanged();
  const core::Size3& size = session_.image().size();
  announceEdit(core::IndexBox{{0, 0, 0}, {size[0] - 1, size[1] - 1, size[2] - 1}});
  Q_EMIT activeLabelChanged();
}

void ViewerModel::deleteLabel(uint16_t label) {
  announceEdit(session_.deleteLabel(label));
  if (label == activeLabel_ && !session_.table().entries().empty()) activeLabel_ = session_.table().entries().front().value;
  Q_EMIT tableChanged();
  Q_EMIT proposalChanged();
  Q_EMIT activeLabelChanged();
}

int64_t ViewerModel::interpolateActiveLabel() {
  if (!hasImage()) return 0;
  const core::InterpolationResult result =
      core::interpolateBetweenSlices(session_.labels(), activeLabel_, session_.supportAxis());
  if (result.voxels == 0) return 0;
  session_.proposeMask(activeLabel_, result.mask);
  Q_EMIT proposalChanged();
  return result.filledSlices;
}

int64_t ViewerModel::growRegionFrom(const std::array<int64_t, 3>& voxel, const core::RegionGrowOptions& options) {
  if (!hasImage() || !session_.image().contains(voxel[0], voxel[1], voxel[2])) return 0;
  return proposeGrowth({session_.image().linearIndex(voxel[0], voxel[1], voxel[2])}, options);
}

int64_t ViewerModel::growRegionFromPainted(const core::RegionGrowOptions& options) {
  if (!hasImage()) return 0;
  // Axial slice masks run x fastest, then y: pixel p of slice z is voxel z * plane + p.
  const int64_t z = cursor_[2];
  const std::vector<uint8_t> mask = session_.labels().sliceMask(core::Axis::Z, z, activeLabel_);
  const int64_t plane = int64_t(mask.size());
  std::vector<int64_t> seeds;
  for (int64_t p = 0; p < plane; ++p)
    if (mask[std::size_t(p)]) seeds.push_back(z * plane + p);
  if (seeds.empty()) return 0;
  return proposeGrowth(seeds, options);
}

int64_t ViewerModel::proposeGrowth(const std::vector<int64_t>& seeds, const core::RegionGrowOptions& options) {
  const core::RegionGrowResult grown = core::growRegion(session_.image(), seeds, options);
  if (grown.voxels == 0) return 0;
  session_.proposeMask(activeLabel_, grown.mask);
  Q_EMIT proposalChanged();
  return grown.voxels;
}

void ViewerModel::setPaintRange(std::optional<std::pair<double, double>> range) {
  session_.setPaintRange(range);
  Q_EMIT brushChanged();
}

void ViewerModel::notifyTableChanged() { Q_EMIT tableChanged(); }
void ViewerModel::notifySupportsChanged() { Q_EMIT supportsChanged(); }

}  // namespace protolabel::ui
