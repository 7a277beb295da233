#pragma once
// State shared by the views and panels of one window: the annotation session, the cursor, the
// window/level, the active label and tool, and which overlays are shown. Views read it and call
// its methods; it announces every change with a signal so all views stay in step.
#include <QObject>
#include <array>
#include <cstdint>

#include "protolabel/core/display/WindowPresets.h"
#include "protolabel/core/editing/RegionGrow.h"
#include "protolabel/core/session/AnnotationSession.h"

namespace protolabel::ui {

enum class Tool { Crosshair, Brush, Eraser, Fill, Grow };

struct OverlayOptions {
  double labelOpacity = 0.45;     // fill opacity of the user's labels (times each label's opacity)
  double proposalOpacity = 0.30;  // fill opacity of the engine's pending proposal
  bool showLabels = true;
  bool showProposal = true;
  bool showConfidence = false;    // tint by the engine's per-voxel uncertainty
};

class ViewerModel : public QObject {
  Q_OBJECT
 public:
  explicit ViewerModel(QObject* parent = nullptr);

  core::AnnotationSession& session() { return session_; }
  const core::AnnotationSession& session() const { return session_; }

  // Takes a freshly loaded image: resets labels, cursor (centre), window (first preset).
  void setImage(core::Volume image, const std::string& sourcePath, std::optional<core::Window> dicomWindow = {},
                const std::string& dicomModality = {});
  bool hasImage() const { return session_.hasImage(); }

  const std::array<int64_t, 3>& cursor() const { return cursor_; }
  void setCursor(const std::array<int64_t, 3>& voxel);
  int64_t sliceIndex(core::Axis axis) const { return cursor_[std::size_t(axis)]; }
  void setSliceIndex(core::Axis axis, int64_t index);

  const core::Window& window() const { return window_; }
  void setWindow(const core::Window& window);
  const std::vector<core::WindowPreset>& windowPresets() const { return presets_; }

  Tool tool() const { return tool_; }
  void setTool(Tool tool);
  uint16_t activeLabel() const { return activeLabel_; }
  void setActiveLabel(uint16_t value);
  const core::BrushShape& brush() const { return brush_; }
  void setBrush(const core::BrushShape& brush);
  void growBrush(int steps);  // +/- keys and Shift+wheel

  const OverlayOptions& overlays() const { return overlays_; }
  void setOverlays(const OverlayOptions& options);

  // Editing forwarded to the session, announced to the views.
  void beginStroke(core::Axis axis, int64_t slice, double u, double v);
  void continueStroke(double u, double v);
  void endStroke();
  void fill(core::Axis axis, int64_t slice, int64_t u, int64_t v);
  void undo();
  void redo();
  void acceptProposal(uint16_t label);
  void discardProposal(uint16_t label);
  void setProposal(core::Proposal proposal);
  void loadLabels(core::LabelMap labels);
  // The table changed (names, colours, visibility, lock): repaint.
  void notifyTableChanged();
  // A change of the label table as one undoable step.
  void changeTable(const core::LabelTable& table, const std::string& description);
  void notifySupportsChanged();

  // The annotator's tools beside the brush, each undoable or offered as a proposal.
  void deleteLabel(uint16_t label);
  // Fills the axial slices between the active label's labelled ones (a proposal). Returns the
  // number of slices filled; 0 when the label is on fewer than two slices with gaps between.
  int64_t interpolateActiveLabel();
  // Grows the active label from `voxel` through similar intensities in 3D (a proposal). Returns the
  // voxel count; `options` as in core::growRegion.
  int64_t growRegionFrom(const std::array<int64_t, 3>& voxel, const core::RegionGrowOptions& options = {});
  // The same from a brushed region: every voxel of the active label on the current axial slice.
  int64_t growRegionFromPainted(const core::RegionGrowOptions& options = {});
  // The threshold brush (nullopt: off); announced with brushChanged().
  void setPaintRange(std::optional<std::pair<double, double>> range);
  const std::optional<std::pair<double, double>>& paintRange() const { return session_.paintRange(); }

 Q_SIGNALS:
  void imageChanged();
  void cursorChanged();
  void windowChanged();
  void toolChanged();
  void brushChanged();
  void overlaysChanged();
  void activeLabelChanged();
  // Label voxels changed inside `box` (voxel index bounds); views repaint, the 3D view re-meshes.
  void labelsEdited(const core::IndexBox& box);
  void editFinished();  // a stroke, fill, undo, redo or accept ended: remesh, autosave bookkeeping
  void proposalChanged();
  void tableChanged();
  void supportsChanged();
  void undoStateChanged();

 private:
  // An edit, undo or redo changed `box`: views repaint, the 3D view remeshes, panels refresh.
  void announceEdit(const core::IndexBox& box);
  // Grows the active label from `seeds` (voxel indices) and offers it as a proposal; the voxel count.
  int64_t proposeGrowth(const std::vector<int64_t>& seeds, const core::RegionGrowOptions& options);

  core::AnnotationSession session_;
  std::array<int64_t, 3> cursor_{0, 0, 0};
  core::Window window_;
  std::vector<core::WindowPreset> presets_;
  Tool tool_ = Tool::Brush;
  uint16_t activeLabel_ = 1;
  core::BrushShape brush_{3.0, true};
  OverlayOptions overlays_;
};

}  // namespace protolabel::ui
