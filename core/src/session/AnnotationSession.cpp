#include "protolabel/core/session/AnnotationSession.h"

#include <any>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

// Labels are edited as uint16 whatever the file held, so that any number of labels fits.
LabelMap asUInt16(LabelMap labels) {
  if (labels.pixelType() == PixelType::UInt16) return labels;
  return LabelMap(labels.voxels().convertedTo(PixelType::UInt16), labels.table());
}

}  // namespace

AnnotationSession::AnnotationSession() = default;

void AnnotationSession::setImage(Volume image, std::string sourcePath, std::string dicomModality) {
  labels_ = LabelMap(image.geometry(), PixelType::UInt16);
  image_ = std::make_shared<const Volume>(std::move(image));
  ++imageGeneration_;
  sourcePath_ = std::move(sourcePath);
  dicomModality_ = std::move(dicomModality);
  undo_.clear();
  supports_.clear();
  proposal_.reset();
  stroke_.reset();
  savedPosition_ = undo_.position();
}

void AnnotationSession::loadLabels(LabelMap labels) {
  if (!labels.geometry().sameGrid(image_->geometry()))
    throw Error(ErrorCode::GridMismatch, "the label map is not on the grid of the image (size, spacing, origin or "
                                         "direction differ); resample it onto the image first");
  LabelMap converted = asUInt16(std::move(labels));
  converted.addMissingTableEntries();
  beginEdit("Load labels");
  undo_.touchAll(labels_);
  std::copy_n(converted.voxels().data<uint16_t>(), converted.voxels().voxelCount(), labels_.voxels().data<uint16_t>());
  labels_.table() = converted.table();
  supports_.clear();
  commitEdit();
}

bool AnnotationSession::EditorState::sameAs(const EditorState& other) const {
  return supports == other.supports && table == other.table && proposal == other.proposal &&
         pending == other.pending && proposalSliceLabels == other.proposalSliceLabels;
}

AnnotationSession::EditorState AnnotationSession::captureState(int64_t proposalSlice) const {
  EditorState state{supports_, labels_.table(), proposal_, {}, -1, {}};
  if (proposal_) {
    state.pending = proposal_->pending;
    if (proposalSlice >= 0) {
      state.proposalSlice = proposalSlice;
      state.proposalSliceLabels =
          extractSlice(proposal_->labels.voxels().data<uint16_t>(), labels_.geometry().size, proposal_->axis, proposalSlice);
    }
  }
  return state;
}

void AnnotationSession::restoreState(const EditorState& state) {
  supports_ = state.supports;
  labels_.table() = state.table;
  proposal_ = state.proposal;
  if (!proposal_) return;
  proposal_->pending = state.pending;
  if (state.proposalSlice >= 0)
    insertSlice(proposal_->labels.voxels().data<uint16_t>(), labels_.geometry().size, proposal_->axis,
                state.proposalSlice, state.proposalSliceLabels.data());
}

void AnnotationSession::beginEdit(const std::string& description, int64_t proposalSlice) {
  editBefore_ = captureState(proposalSlice);
  undo_.begin(labels_, description, editBefore_);
}

bool AnnotationSession::commitEdit() {
  const EditorState after = captureState(editBefore_.proposalSlice);
  const bool stateChanged = !after.sameAs(editBefore_);
  return undo_.commit(labels_, after, stateChanged);
}

void AnnotationSession::changeTable(const LabelTable& table, const std::string& description) {
  beginEdit(description);
  labels_.table() = table;
  commitEdit();
}

void AnnotationSession::useLabelledSlicesAsExamples() {
  supports_.clear();
  for (const auto& [value, count] : labels_.histogram())
    for (int64_t s : labels_.slicesContaining(value, supportAxis_)) supports_[value].insert(s);
}

std::set<uint16_t> AnnotationSession::lockedLabels() const {
  std::set<uint16_t> locked;
  for (const LabelEntry& e : labels_.table().entries())
    if (e.locked) locked.insert(e.value);
  return locked;
}

void AnnotationSession::recordSupport(Axis axis, int64_t slice, uint16_t value) {
  if (axis == supportAxis_ && value != 0) supports_[value].insert(slice);
}

void AnnotationSession::adoptProposalSlice(uint16_t label, int64_t slice) {
  if (!proposal_ || !proposal_->pending.count(label) || proposal_->axis != supportAxis_) return;
  const Size3& size = labels_.geometry().size;
  const SliceLayout L = sliceLayout(size, supportAxis_);
  std::vector<uint16_t> proposed = extractSlice(proposal_->labels.voxels().data<uint16_t>(), size, supportAxis_, slice);
  std::vector<uint16_t> current = extractSlice(labels_.voxels().data<uint16_t>(), size, supportAxis_, slice);
  const std::set<uint16_t> locked = lockedLabels();
  for (int64_t i = 0; i < L.width * L.height; ++i)
    if (proposed[i] == label) {
      if (current[i] == 0) current[i] = label;
      proposed[i] = 0;  // taken over: the proposal no longer shows it on this slice
    }
  insertSlice(labels_.voxels().data<uint16_t>(), size, supportAxis_, slice, current.data());
  insertSlice(proposal_->labels.voxels().data<uint16_t>(), size, supportAxis_, slice, proposed.data());
}

void AnnotationSession::beginStroke(Axis axis, int64_t slice, uint16_t value, const BrushShape& brush) {
  if (!hasImage()) return;
  if (stroke_) endStroke();
  stroke_ = Stroke{axis, slice, value, brush, std::nullopt};
  const bool takesOverProposal = axis == supportAxis_ && value != 0 && proposal_ && proposal_->pending.count(value) &&
                                 proposal_->axis == supportAxis_;
  beginEdit(value == 0 ? "Erase" : "Paint", takesOverProposal ? slice : -1);
  if (axis == Axis::Z) undo_.touch(labels_, slice, slice);
  if (takesOverProposal) adoptProposalSlice(value, slice);
}

IndexBox AnnotationSession::strokeTo(double u, double v) {
  if (!stroke_) return {};
  Stroke& s = *stroke_;
  const auto [u0, v0] = s.last.value_or(std::make_pair(u, v));
  // Coronal and sagittal strokes cross many axial slices: record only those the brush can reach.
  undo_.touch(labels_, strokeBounds(labels_, s.axis, s.slice, u0, v0, u, v, s.brush));
  PaintRules rules{s.value, lockedLabels()};
  if (paintRange_ && s.value != 0) rules.image = image_.get(), rules.low = paintRange_->first, rules.high = paintRange_->second;
  const IndexBox changed = paintStroke(labels_, s.axis, s.slice, u0, v0, u, v, s.brush, rules);
  s.last = std::make_pair(u, v);
  return changed;
}

void AnnotationSession::endStroke() {
  if (!stroke_) return;
  const Stroke s = *stroke_;
  stroke_.reset();
  // The examples change with the voxels, in the same undo step.
  recordSupport(s.axis, s.slice, s.value);
  if (s.value == 0) pruneSupports();
  commitEdit();
}

IndexBox AnnotationSession::fill(Axis axis, int64_t slice, int64_t u, int64_t v, uint16_t value) {
  if (!hasImage()) return {};
  beginEdit("Fill");
  const SliceLayout L = sliceLayout(labels_.geometry().size, axis);
  if (axis == Axis::Z)
    undo_.touch(labels_, slice, slice);
  else
    undo_.touch(labels_, 0, L.height - 1);  // v runs along z
  const IndexBox changed = fillInSlice(labels_, axis, slice, u, v, PaintRules{value, lockedLabels()});
  if (!changed.empty()) {
    recordSupport(axis, slice, value);
    if (value == 0) pruneSupports();
  }
  commitEdit();
  return changed;
}

IndexBox AnnotationSession::copySupportSlice(const LabelMap& reference, uint16_t label, int64_t slice) {
  if (!reference.geometry().sameGrid(image_->geometry()))
    throw Error(ErrorCode::GridMismatch, "the reference labels are not on the image's grid");
  const Size3& size = labels_.geometry().size;
  const LabelMap source = asUInt16(reference);
  const std::vector<uint16_t> from = extractSlice(source.voxels().data<uint16_t>(), size, supportAxis_, slice);
  std::vector<uint16_t> to = extractSlice(labels_.voxels().data<uint16_t>(), size, supportAxis_, slice);
  const std::set<uint16_t> locked = lockedLabels();
  beginEdit("Copy example slice");
  undo_.touch(labels_, slice, slice);
  for (std::size_t i = 0; i < to.size(); ++i)
    if (from[i] == label && !locked.count(to[i])) to[i] = label;
  insertSlice(labels_.voxels().data<uint16_t>(), size, supportAxis_, slice, to.data());
  // The reference's name and colour for the label, when it has them, replace a default entry.
  if (const LabelEntry* entry = reference.table().find(label))
    labels_.table().set(*entry);
  else if (!labels_.table().find(label))
    labels_.table().addDefault(label);
  recordSupport(supportAxis_, slice, label);
  if (!commitEdit()) return {};
  IndexBox box;
  box.lo = {0, 0, 0};
  box.hi = {size[0] - 1, size[1] - 1, size[2] - 1};
  box.lo[std::size_t(supportAxis_)] = box.hi[std::size_t(supportAxis_)] = slice;
  return box;
}

int64_t AnnotationSession::copyMiddleSupportSlice(const LabelMap& reference, uint16_t label) {
  const IndexBox box = reference.extentOf(label);
  if (box.empty()) return -1;
  const std::size_t axis = std::size_t(supportAxis_);
  const int64_t middle = (box.lo[axis] + box.hi[axis]) / 2;
  copySupportSlice(reference, label, middle);
  return middle;
}

IndexBox AnnotationSession::undo() {
  if (stroke_) endStroke();
  std::any state;
  const IndexBox box = undo_.undo(labels_, &state);
  if (const auto* s = std::any_cast<EditorState>(&state)) restoreState(*s);
  return box;
}

IndexBox AnnotationSession::redo() {
  if (stroke_) endStroke();
  std::any state;
  const IndexBox box = undo_.redo(labels_, &state);
  if (const auto* s = std::any_cast<EditorState>(&state)) restoreState(*s);
  return box;
}

std::vector<uint8_t> AnnotationSession::supportMask(uint16_t label, int64_t slice) const {
  return labels_.sliceMask(supportAxis_, slice, label);
}

void AnnotationSession::removeSupport(uint16_t label, int64_t slice) {
  auto it = supports_.find(label);
  if (it == supports_.end() || !it->second.count(slice)) return;
  beginEdit("Remove example");
  it->second.erase(slice);
  if (it->second.empty()) supports_.erase(it);
  commitEdit();
}

void AnnotationSession::pruneSupports() {
  for (auto it = supports_.begin(); it != supports_.end();) {
    for (auto s = it->second.begin(); s != it->second.end();) {
      const std::vector<uint8_t> mask = supportMask(it->first, *s);
      s = std::any_of(mask.begin(), mask.end(), [](uint8_t m) { return m; }) ? std::next(s) : it->second.erase(s);
    }
    it = it->second.empty() ? supports_.erase(it) : std::next(it);
  }
}

void AnnotationSession::setProposal(Proposal proposal) {
  if (!proposal.labels.geometry().sameGrid(image_->geometry()))
    throw Error(ErrorCode::GridMismatch, "the segmentation result is not on the image's grid");
  proposal_ = std::make_shared<Proposal>(std::move(proposal));
}

IndexBox AnnotationSession::accept(uint16_t label) {
  if (!proposal_ || !proposal_->pending.count(label)) return {};
  beginEdit("Accept segmentation");
  undo_.touchAll(labels_);
  const uint16_t* proposed = proposal_->labels.voxels().data<uint16_t>();
  uint16_t* current = labels_.voxels().data<uint16_t>();
  const int64_t n = labels_.voxels().voxelCount();
  for (int64_t i = 0; i < n; ++i)
    if (proposed[i] == label && current[i] == 0) current[i] = label;
  if (!labels_.table().find(label)) labels_.table().addDefault(label);
  withdraw(label);
  commitEdit();
  return labels_.extentOf(label);
}

IndexBox AnnotationSession::deleteLabel(uint16_t label) {
  if (label == 0 || !hasImage()) return {};
  const IndexBox box = labels_.extentOf(label);
  beginEdit("Delete label");
  undo_.touch(labels_, box);
  if (!box.empty()) {
    uint16_t* voxels = labels_.voxels().data<uint16_t>();
    const Size3& size = labels_.geometry().size;
    for (int64_t k = box.lo[2]; k <= box.hi[2]; ++k)
      for (int64_t j = box.lo[1]; j <= box.hi[1]; ++j)
        for (int64_t i = box.lo[0]; i <= box.hi[0]; ++i) {
          uint16_t& v = voxels[i + size[0] * (j + size[1] * k)];
          if (v == label) v = 0;
        }
  }
  labels_.table().remove(label);
  supports_.erase(label);
  if (proposal_ && proposal_->pending.count(label)) withdraw(label);
  commitEdit();
  return box;
}

void AnnotationSession::proposeMask(uint16_t label, const std::vector<uint8_t>& mask) {
  if (!hasImage() || label == 0) return;
  if (int64_t(mask.size()) != labels_.voxels().voxelCount())
    throw Error(ErrorCode::GridMismatch, "the proposed mask is not on the image's grid");
  // Added to the pending proposal in place (a proposal is not an undo step; copying a full-size one
  // would double its memory).
  if (!proposal_) {
    auto fresh = std::make_shared<Proposal>();
    fresh->labels = LabelMap(labels_.geometry(), PixelType::UInt16);
    fresh->uncertainty.assign(mask.size(), 0);
    fresh->sliceUncertainty.assign(std::size_t(labels_.geometry().size[std::size_t(supportAxis_)]), -1);
    fresh->axis = supportAxis_;
    proposal_ = std::move(fresh);
  }
  Proposal* next = proposal_.get();
  uint16_t* proposed = next->labels.voxels().data<uint16_t>();
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (proposed[i] == label) proposed[i] = 0;
    if (mask[i]) proposed[i] = label;
  }
  if (!labels_.table().find(label)) labels_.table().addDefault(label);
  next->pending.insert(label);
}

void AnnotationSession::restoreExamples(const std::map<uint16_t, std::set<int64_t>>& examples) {
  supports_.clear();
  for (const auto& [label, slices] : examples)
    for (int64_t s : slices)
      if (s >= 0 && s < labels_.geometry().size[std::size_t(supportAxis_)]) supports_[label].insert(s);
  pruneSupports();
}

void AnnotationSession::discard(uint16_t label) {
  if (!proposal_ || !proposal_->pending.count(label)) return;
  beginEdit("Discard segmentation");
  withdraw(label);
  commitEdit();
}

void AnnotationSession::withdraw(uint16_t label) {
  // The proposal's voxels stay (undo brings the label back); only pending ones are shown or taken.
  proposal_->pending.erase(label);
  if (proposal_->pending.empty()) proposal_.reset();
}

int64_t AnnotationSession::nextUncertainSlice(int64_t current) const {
  if (!proposal_) return -1;
  const std::vector<double>& u = proposal_->sliceUncertainty;
  std::vector<int64_t> order;
  for (int64_t s = 0; s < int64_t(u.size()); ++s)
    if (u[std::size_t(s)] > 0) order.push_back(s);
  if (order.empty()) return -1;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return u[std::size_t(a)] > u[std::size_t(b)]; });
  const auto at = std::find(order.begin(), order.end(), current);
  return (at == order.end() || std::next(at) == order.end()) ? order.front() : *std::next(at);
}

}  // namespace protolabel::core
