#include "protolabel/ui/SliceView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace protolabel::ui {

namespace {

core::SliceLayout layoutOf(const ViewerModel& m, core::Axis axis) {
  return core::sliceLayout(m.session().image().size(), axis);
}

}  // namespace

SliceView::SliceView(core::Axis axis, ViewerModel* model, QWidget* parent) : QWidget(parent), axis_(axis), model_(model) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 160);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setObjectName(QString("slice-view-") + core::axisName(axis));
  connect(model_, &ViewerModel::imageChanged, this, [this] { resetView(); });
  connect(model_, &ViewerModel::cursorChanged, this, [this] { invalidate(); });
  connect(model_, &ViewerModel::windowChanged, this, [this] { invalidate(); });
  connect(model_, &ViewerModel::overlaysChanged, this, [this] { invalidate(); });
  connect(model_, &ViewerModel::proposalChanged, this, [this] { invalidate(); });
  connect(model_, &ViewerModel::tableChanged, this, [this] { invalidate(); });
  connect(model_, &ViewerModel::labelsEdited, this, &SliceView::onLabelsEdited);
  connect(model_, &ViewerModel::brushChanged, this, [this] { update(); });
}

void SliceView::invalidate() {
  dirty_ = true;
  update();
}

void SliceView::onLabelsEdited(const core::IndexBox& box) {
  // Only views whose slice crosses the edited box need new pixels.
  const int a = int(axis_);
  if (box.empty() || (slice() >= box.lo[std::size_t(a)] && slice() <= box.hi[std::size_t(a)])) invalidate();
}

void SliceView::refresh() {
  if (!model_->hasImage()) return;
  rendered_ = renderSlice(*model_, axis_, slice());
  dirty_ = false;
}

void SliceView::setZoom(double zoom) {
  zoom_ = std::clamp(zoom, 0.25, 40.0);
  update();
}

void SliceView::resetView() {
  zoom_ = 1.0;
  pan_ = {0, 0};
  invalidate();
}

QTransform SliceView::imageToWidget() const {
  if (!model_->hasImage()) return {};
  const core::SliceLayout L = layoutOf(*model_, axis_);
  const core::Vec3& spacing = model_->session().image().geometry().spacing;
  const double mmW = double(L.width) * spacing[std::size_t(L.inPlaneU)];
  const double mmH = double(L.height) * spacing[std::size_t(L.inPlaneV)];
  const double fit = std::min(width() / mmW, height() / mmH) * zoom_;  // widget pixels per mm
  const double sx = fit * spacing[std::size_t(L.inPlaneU)], sy = fit * spacing[std::size_t(L.inPlaneV)];
  const double ox = (width() - sx * double(L.width)) / 2 + pan_.x();
  const double oy = (height() - sy * double(L.height)) / 2 + pan_.y();
  return QTransform(sx, 0, 0, sy, ox, oy);
}

QPointF SliceView::widgetFromSlice(double u, double v) const {
  const core::SliceLayout L = layoutOf(*model_, axis_);
  const core::SliceOrientation o = core::sliceOrientation(model_->session().image().geometry(), axis_);
  const double x = o.flipU ? double(L.width) - 1 - u : u, y = o.flipV ? double(L.height) - 1 - v : v;
  return imageToWidget().map(QPointF(x + 0.5, y + 0.5));
}

QPointF SliceView::sliceFromWidget(const QPointF& p) const {
  const core::SliceLayout L = layoutOf(*model_, axis_);
  const core::SliceOrientation o = core::sliceOrientation(model_->session().image().geometry(), axis_);
  const QPointF q = imageToWidget().inverted().map(p) - QPointF(0.5, 0.5);
  return {o.flipU ? double(L.width) - 1 - q.x() : q.x(), o.flipV ? double(L.height) - 1 - q.y() : q.y()};
}

bool SliceView::insideSlice(double u, double v) const {
  const core::SliceLayout L = layoutOf(*model_, axis_);
  return u > -0.5 && v > -0.5 && u < double(L.width) - 0.5 && v < double(L.height) - 0.5;
}

void SliceView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::black);
  if (!model_->hasImage()) return;
  if (dirty_) refresh();
  const QTransform t = imageToWidget();
  p.setTransform(t);
  p.drawImage(QPointF(0, 0), rendered_.image);
  // Boundaries: solid for the user's labels, dashed for the engine's proposal.
  for (const LabelContour& c : rendered_.contours) {
    const auto* entry = model_->session().table().find(c.value);
    const auto rgb = entry ? entry->color : core::LabelTable::defaultColor(c.value);
    QPen pen(QColor(rgb[0], rgb[1], rgb[2]), c.proposal ? 1.5 : 2.0);
    pen.setCosmetic(true);
    if (c.proposal) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawLines(c.segments);
  }
  p.resetTransform();

  // Crosshair through the cursor.
  const core::SliceLayout L = layoutOf(*model_, axis_);
  const auto& cursor = model_->cursor();
  const QPointF c = widgetFromSlice(double(cursor[std::size_t(L.inPlaneU)]), double(cursor[std::size_t(L.inPlaneV)]));
  p.setPen(QPen(QColor(80, 200, 255, 150), 1));
  p.drawLine(QPointF(c.x(), 0), QPointF(c.x(), height()));
  p.drawLine(QPointF(0, c.y()), QPointF(width(), c.y()));

  // Orientation letters and slice number.
  p.setPen(QColor(255, 220, 120));
  QFont f = font();
  f.setBold(true);
  p.setFont(f);
  const auto& o = rendered_.orientation;
  const int m = 6;
  p.drawText(QRect(m, 0, 20, height()), Qt::AlignVCenter | Qt::AlignLeft, QString(QChar(o.left)));
  p.drawText(QRect(width() - 20 - m, 0, 20, height()), Qt::AlignVCenter | Qt::AlignRight, QString(QChar(o.right)));
  p.drawText(QRect(0, m, width(), 20), Qt::AlignHCenter | Qt::AlignTop, QString(QChar(o.top)));
  p.drawText(QRect(0, height() - 20 - m, width(), 20), Qt::AlignHCenter | Qt::AlignBottom, QString(QChar(o.bottom)));
  p.setPen(Qt::white);
  p.drawText(QRect(m, m, width(), 20), Qt::AlignLeft | Qt::AlignTop,
             QString("%1  %2/%3").arg(core::axisName(axis_)).arg(slice() + 1).arg(L.count));

  // Brush outline under the mouse.
  const Tool tool = model_->tool();
  if (mouse_ && (tool == Tool::Brush || tool == Tool::Eraser)) {
    const core::BrushShape& b = model_->brush();
    const core::Vec3& spacing = model_->session().image().geometry().spacing;
    const double ru = b.radiusInMillimetres ? b.radius / spacing[std::size_t(L.inPlaneU)] : b.radius;
    const double rv = b.radiusInMillimetres ? b.radius / spacing[std::size_t(L.inPlaneV)] : b.radius;
    p.setPen(QPen(tool == Tool::Eraser ? QColor(255, 255, 255, 180) : QColor(255, 255, 0, 180), 1, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(*mouse_, ru * imageToWidget().m11(), rv * imageToWidget().m22());
  }
}

void SliceView::reportCursor(const QPointF& widgetPos) {
  const QPointF uv = sliceFromWidget(widgetPos);
  if (!insideSlice(uv.x(), uv.y())) return Q_EMIT cursorInfo(QString());
  const core::SliceLayout L = layoutOf(*model_, axis_);
  std::array<int64_t, 3> voxel = model_->cursor();
  voxel[std::size_t(L.inPlaneU)] = std::lround(uv.x());
  voxel[std::size_t(L.inPlaneV)] = std::lround(uv.y());
  const core::AnnotationSession& s = model_->session();
  const double value = s.image().valueAt(voxel[0], voxel[1], voxel[2]);
  const uint16_t label = s.labels().at(voxel[0], voxel[1], voxel[2]);
  const core::Vec3 mm = s.image().geometry().indexToPhysical({double(voxel[0]), double(voxel[1]), double(voxel[2])});
  QString text = QString("voxel (%1, %2, %3)  LPS (%4, %5, %6) mm  value %7")
                     .arg(voxel[0]).arg(voxel[1]).arg(voxel[2])
                     .arg(mm[0], 0, 'f', 1).arg(mm[1], 0, 'f', 1).arg(mm[2], 0, 'f', 1)
                     .arg(value, 0, 'g', 6);
  if (label) {
    const auto* e = s.table().find(label);
    text += QString("  label %1 %2").arg(label).arg(e ? QString::fromStdString(e->name) : QString());
  }
  Q_EMIT cursorInfo(text);
}

void SliceView::mousePressEvent(QMouseEvent* e) {
  if (!model_->hasImage()) return;
  setFocus();
  dragStart_ = e->position();
  if (e->button() == Qt::MiddleButton) {
    drag_ = Drag::Pan, panAtDragStart_ = pan_;
    return;
  }
  if (e->button() == Qt::RightButton) {
    drag_ = Drag::Window, windowAtDragStart_ = model_->window();
    return;
  }
  if (e->button() != Qt::LeftButton) return;
  const QPointF uv = sliceFromWidget(e->position());
  if (!insideSlice(uv.x(), uv.y())) return;
  drag_ = Drag::Tool;
  const core::SliceLayout L = layoutOf(*model_, axis_);
  switch (model_->tool()) {
    case Tool::Crosshair: {
      std::array<int64_t, 3> voxel = model_->cursor();
      voxel[std::size_t(L.inPlaneU)] = std::lround(uv.x());
      voxel[std::size_t(L.inPlaneV)] = std::lround(uv.y());
      model_->setCursor(voxel);
      break;
    }
    case Tool::Brush:
    case Tool::Eraser: model_->beginStroke(axis_, slice(), uv.x(), uv.y()); break;
    case Tool::Fill: model_->fill(axis_, slice(), std::lround(uv.x()), std::lround(uv.y())); break;
    case Tool::Grow: {
      std::array<int64_t, 3> voxel = model_->cursor();
      voxel[std::size_t(axis_)] = slice();
      voxel[std::size_t(L.inPlaneU)] = std::lround(uv.x());
      voxel[std::size_t(L.inPlaneV)] = std::lround(uv.y());
      Q_EMIT growRequested(voxel);
      break;
    }
  }
}

void SliceView::mouseMoveEvent(QMouseEvent* e) {
  mouse_ = e->position();
  if (!model_->hasImage()) return;
  reportCursor(e->position());
  const QPointF delta = e->position() - dragStart_;
  switch (drag_) {
    case Drag::Pan:
      pan_ = panAtDragStart_ + delta;
      update();
      break;
    case Drag::Window: {
      // Horizontal drag widens the window, vertical drag moves the level, in proportion to the width.
      core::Window w = windowAtDragStart_;
      const double unit = std::max(w.width, 1.0) / 200.0;
      w.width = std::max(1e-3, w.width + delta.x() * unit);
      w.level = w.level - delta.y() * unit;
      model_->setWindow(w);
      break;
    }
    case Drag::Tool: {
      const QPointF uv = sliceFromWidget(e->position());
      if (model_->tool() == Tool::Brush || model_->tool() == Tool::Eraser) {
        model_->continueStroke(uv.x(), uv.y());
      } else if (model_->tool() == Tool::Crosshair && insideSlice(uv.x(), uv.y())) {
        const core::SliceLayout L = layoutOf(*model_, axis_);
        std::array<int64_t, 3> voxel = model_->cursor();
        voxel[std::size_t(L.inPlaneU)] = std::lround(uv.x());
        voxel[std::size_t(L.inPlaneV)] = std::lround(uv.y());
        model_->setCursor(voxel);
      }
      break;
    }
    case Drag::None: break;
  }
  update();
}

void SliceView::mouseReleaseEvent(QMouseEvent*) {
  if (drag_ == Drag::Tool) model_->endStroke();
  drag_ = Drag::None;
}

void SliceView::wheelEvent(QWheelEvent* e) {
  if (!model_->hasImage()) return;
  const int steps = e->angleDelta().y() / 120 != 0 ? e->angleDelta().y() / 120 : (e->angleDelta().y() > 0 ? 1 : -1);
  if (e->angleDelta().y() == 0) return;
  if (e->modifiers() & Qt::ShiftModifier) {
    model_->growBrush(steps);
  } else if (e->modifiers() & Qt::ControlModifier) {
    setZoom(zoom_ * std::pow(1.15, steps));
  } else {
    model_->setSliceIndex(axis_, slice() + steps);
  }
  e->accept();
}

void SliceView::keyPressEvent(QKeyEvent* e) {
  if (!model_->hasImage()) return QWidget::keyPressEvent(e);
  switch (e->key()) {
    case Qt::Key_Up:
    case Qt::Key_Right: model_->setSliceIndex(axis_, slice() + 1); break;
    case Qt::Key_Down:
    case Qt::Key_Left: model_->setSliceIndex(axis_, slice() - 1); break;
    case Qt::Key_PageUp: model_->setSliceIndex(axis_, slice() + 10); break;
    case Qt::Key_PageDown: model_->setSliceIndex(axis_, slice() - 10); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: model_->growBrush(1); break;
    case Qt::Key_Minus: model_->growBrush(-1); break;
    default: return QWidget::keyPressEvent(e);
  }
  e->accept();
}

void SliceView::leaveEvent(QEvent*) {
  mouse_.reset();
  update();
}

}  // namespace protolabel::ui
