#pragma once
// One orthogonal slice view: the windowed image with label fills and boundary contours, the
// proposal, the crosshair, orientation letters and the brush. Left button: the active tool; middle
// drag: pan; right drag: window/level; wheel: slices; Ctrl+wheel: zoom; Shift+wheel or +/-: brush.
#include <QPointF>
#include <QWidget>
#include <optional>

#include "protolabel/ui/SliceRenderer.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

class SliceView : public QWidget {
  Q_OBJECT
 public:
  SliceView(core::Axis axis, ViewerModel* model, QWidget* parent = nullptr);

  core::Axis axis() const { return axis_; }
  int64_t slice() const { return model_->sliceIndex(axis_); }
  double zoom() const { return zoom_; }
  void setZoom(double zoom);
  void resetView();

  // Widget position of the centre of voxel (u, v) of the current slice (slice coordinates), and back.
  QPointF widgetFromSlice(double u, double v) const;
  QPointF sliceFromWidget(const QPointF& p) const;
  // The last rendered slice (tests and benchmarks).
  const RenderedSlice& rendered() const { return rendered_; }
  // Re-renders the slice now (normally done lazily on changes).
  void refresh();

 Q_SIGNALS:
  void cursorInfo(const QString& text);
  // A click with the Grow tool at `voxel` (index on the image grid).
  void growRequested(const std::array<int64_t, 3>& voxel);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void keyPressEvent(QKeyEvent*) override;
  void leaveEvent(QEvent*) override;

 private:
  void invalidate();
  void onLabelsEdited(const core::IndexBox& box);
  // Slice image pixels -> widget pixels: scale per axis (spacing-correct aspect) and offset.
  QTransform imageToWidget() const;
  void reportCursor(const QPointF& widgetPos);
  bool insideSlice(double u, double v) const;

  core::Axis axis_;
  ViewerModel* model_;
  RenderedSlice rendered_;
  bool dirty_ = true;
  double zoom_ = 1.0;
  QPointF pan_{0, 0};
  enum class Drag { None, Tool, Pan, Window } drag_ = Drag::None;
  QPointF dragStart_;
  core::Window windowAtDragStart_;
  QPointF panAtDragStart_;
  std::optional<QPointF> mouse_;
};

}  // namespace protolabel::ui
