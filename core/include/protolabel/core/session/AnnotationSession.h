#pragma once
// What the user is annotating: the image, the user's labels, the engine's pending proposal, the
// support slices and the undo history. Plain C++ (no Qt), so every rule of the editor is tested
// without widgets; the desktop application presents it and forwards the user's gestures.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/Volume.h"
#include "protolabel/core/editing/LabelUndoStack.h"
#include "protolabel/core/editing/SliceBrush.h"

namespace protolabel::core {

// The engine's last result, shown apart from the user's labels until accepted or discarded.
struct Proposal {
  LabelMap labels;                       // uint16, on the image grid
  std::vector<uint8_t> uncertainty;      // per voxel, 0 (sure) .. 255 (a coin flip)
  std::vector<double> sliceUncertainty;  // per slice along `axis`; < 0 where not segmented
  Axis axis = Axis::Z;
  std::set<uint16_t> pending;            // labels neither accepted nor discarded yet
};

class AnnotationSession {
 public:
  AnnotationSession();

  // A new image: empty uint16 labels on its grid, no history, supports or proposal. `dicomModality`
  // is the DICOM Modality tag of a DICOM series ("CT", "MR", ...), empty otherwise.
  void setImage(Volume image, std::string sourcePath, std::string dicomModality = {});
  // Replaces the labels (a label file or a recovered autosave); throws Error(GridMismatch) when
  // they are not on the image's grid. Undoable.
  void loadLabels(LabelMap labels);
  bool hasImage() const { return image_ && !image_->isNull(); }
  const Volume& image() const { return *image_; }
  // The image under shared ownership: a background run keeps it alive even if another is opened.
  std::shared_ptr<const Volume> sharedImage() const { return image_; }
  // Increases with every setImage(): results computed for an older image can be recognised.
  uint64_t imageGeneration() const { return imageGeneration_; }
  const std::string& sourcePath() const { return sourcePath_; }
  const std::string& dicomModality() const { return dicomModality_; }
  const LabelMap& labels() const { return labels_; }
  LabelTable& table() { return labels_.table(); }
  const LabelTable& table() const { return labels_.table(); }

  // The axis whose slices are supports (the engine segments along it).
  Axis supportAxis() const { return supportAxis_; }

  // One brush stroke = one undo step. Painting `value` 0 erases. A stroke on the support axis
  // makes that slice a support of the painted label; on a slice with a pending proposal for the
  // label, the proposal's voxels there are taken over first, so the stroke corrects the proposal.
  void beginStroke(Axis axis, int64_t slice, uint16_t value, const BrushShape& brush);
  IndexBox strokeTo(double u, double v);
  void endStroke();
  bool strokeActive() const { return stroke_.has_value(); }
  // The threshold brush: strokes paint only voxels whose intensity lies in [low, high]; nullopt
  // paints every voxel under the brush. Erasing is never limited.
  void setPaintRange(std::optional<std::pair<double, double>> range) { paintRange_ = range; }
  const std::optional<std::pair<double, double>>& paintRange() const { return paintRange_; }
  IndexBox fill(Axis axis, int64_t slice, int64_t u, int64_t v, uint16_t value);

  // Copies `label` on support slice `slice` from `reference` (on the image's grid) into the labels,
  // as if the user had painted it, and makes the slice a support. Undoable. Used to start from an
  // existing label file, and by the demo.
  IndexBox copySupportSlice(const LabelMap& reference, uint16_t label, int64_t slice);
  // copySupportSlice() on the middle slice of the label's extent in `reference`; returns that slice,
  // or -1 when the reference does not hold the label.
  int64_t copyMiddleSupportSlice(const LabelMap& reference, uint16_t label);

  bool canUndo() const { return undo_.canUndo(); }
  bool canRedo() const { return undo_.canRedo(); }
  std::string undoText() const { return undo_.undoText(); }
  std::string redoText() const { return undo_.redoText(); }
  IndexBox undo();
  IndexBox redo();
  std::size_t undoMemoryBytes() const { return undo_.memoryBytes(); }

  // Support slices per label along supportAxis(): slices the user painted the label on.
  const std::map<uint16_t, std::set<int64_t>>& supports() const { return supports_; }
  void removeSupport(uint16_t label, int64_t slice);
  // Every slice (along supportAxis()) that holds a label becomes one of its examples, as if painted
  // there: a saved set of examples (the bundled sample's) loaded with loadLabels().
  void useLabelledSlicesAsExamples();
  // Supports whose slice no longer holds the label (erased, undone) are dropped.
  void pruneSupports();
  // The mask (u fastest) of `label` on support slice `slice`.
  std::vector<uint8_t> supportMask(uint16_t label, int64_t slice) const;

  void setProposal(Proposal proposal);
  // The pending proposal, or null.
  const Proposal* proposal() const { return proposal_.get(); }
  // Writes the proposal's voxels of `label` into the labels where they are unlabelled (the user's
  // own strokes win). Undoable.
  IndexBox accept(uint16_t label);
  void discard(uint16_t label);
  // The segmented slice with the highest uncertainty after `current` in descending order of
  // uncertainty (wraps around); -1 without a proposal.
  int64_t nextUncertainSlice(int64_t current) const;

  // Clears every voxel of `label`, its examples and its pending proposal, and removes it from the
  // table: one undoable step. Returns the cleared voxels' box. A locked label is deleted too (the
  // user asked for it by name), and value 0 is not a label.
  IndexBox deleteLabel(uint16_t label);

  // Offers `mask` (per voxel, non-zero where `label` is proposed) as a pending proposal of `label`,
  // beside whatever else is pending: what interpolation and region growing produce, reviewed and
  // accepted like the engine's result. Replaces an earlier pending proposal of the same label.
  void proposeMask(uint16_t label, const std::vector<uint8_t>& mask);

  // Makes `examples` (label -> slices along supportAxis()) the examples, keeping only slices that
  // hold their label: a reopened workspace. Not an undo step (it belongs with loading the labels).
  void restoreExamples(const std::map<uint16_t, std::set<int64_t>>& examples);

  // Changes the label table (rename, recolour, add, hide, lock) as one undoable step.
  void changeTable(const LabelTable& table, const std::string& description);

  // Differs from the state at the last markSaved(): follows the undo position, so undoing back to
  // what was saved is unmodified again (as ITK-SNAP does).
  bool modified() const { return undo_.position() != savedPosition_; }
  void markSaved() { savedPosition_ = undo_.position(); }
  std::set<uint16_t> lockedLabels() const;

 private:
  struct Stroke {
    Axis axis;
    int64_t slice;
    uint16_t value;
    BrushShape brush;
    std::optional<std::pair<double, double>> last;
  };
  // Everything an undo step restores besides the voxels.
  struct EditorState {
    std::map<uint16_t, std::set<int64_t>> supports;
    LabelTable table;
    std::shared_ptr<Proposal> proposal;  // the proposal object itself is shared, not copied
    std::set<uint16_t> pending;
    int64_t proposalSlice = -1;           // the proposal slice this step took over, with its content
    std::vector<uint16_t> proposalSliceLabels;
    bool sameAs(const EditorState& other) const;
  };
  EditorState captureState(int64_t proposalSlice = -1) const;
  void restoreState(const EditorState& state);
  // begin() and commit() of the undo stack with the editor state before and after.
  void beginEdit(const std::string& description, int64_t proposalSlice = -1);
  bool commitEdit();
  void adoptProposalSlice(uint16_t label, int64_t slice);
  void withdraw(uint16_t label);  // a pending label leaves the proposal (accepted or discarded)
  void recordSupport(Axis axis, int64_t slice, uint16_t value);

  std::shared_ptr<const Volume> image_ = std::make_shared<const Volume>();
  uint64_t imageGeneration_ = 0;
  std::string sourcePath_;
  std::string dicomModality_;
  LabelMap labels_;
  LabelUndoStack undo_;
  std::map<uint16_t, std::set<int64_t>> supports_;
  std::shared_ptr<Proposal> proposal_;
  EditorState editBefore_;  // the state when the open edit began
  uint64_t savedPosition_ = 0;
  std::optional<Stroke> stroke_;
  std::optional<std::pair<double, double>> paintRange_;
  Axis supportAxis_ = Axis::Z;
};

}  // namespace protolabel::core
