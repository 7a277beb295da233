#pragma once
// The 3D view: label surfaces rendered by VTK inside a QOpenGLWidget. Debian's VTK Qt widgets are
// built against Qt 5, so this widget drives a generic VTK render window itself: VTK renders into its
// own framebuffer and paintGL copies that into the widget's.
#include <QOpenGLWidget>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protolabel/core/LabelTable.h"
#include "protolabel/core/surface/LabelSurfaces.h"

class QToolButton;

namespace protolabel::ui {

class SurfaceView : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit SurfaceView(QWidget* parent = nullptr);
  ~SurfaceView() override;

  // Replaces the shown surfaces; colour, opacity and visibility (visible and meshVisible) come from
  // `table`. The first surfaces shown in an empty scene also place the camera; later ones keep the
  // user's view.
  void setSurfaces(const std::vector<core::LabelSurface>& surfaces, const core::LabelTable& table);
  // The engine's pending proposal beside the labels: same colours, translucent (kProposalOpacity).
  void setProposalSurfaces(const std::vector<core::LabelSurface>& surfaces, const core::LabelTable& table);
  // Drops proposal surfaces of labels no longer in `pending` (accepted or discarded) at once.
  void keepProposalLabels(const std::set<uint16_t>& pending);
  void setProposalVisible(bool visible);
  // Removes every surface and lets the next ones place the camera: a new image.
  void clearScene();
  // Restyles the shown surfaces from `table` without replacing them.
  void applyLabelTable(const core::LabelTable& table);
  void setLabelVisible(uint16_t value, bool visible);
  // Anterior view of everything shown: the patient faces the viewer, superior up, patient's left on
  // the viewer's right. Also the view's button and the R key.
  void resetCamera();
  std::vector<uint16_t> shownLabels() const;
  std::vector<uint16_t> shownProposalLabels() const;
  // True when the bounds of every visible surface lie inside the camera's view and clipping range.
  bool sceneInView() const;
  // The patient-direction cube in the lower left corner; shown while there are surfaces.
  bool orientationMarkerShown() const;
  // Its face labels in the order +X, -X, +Y, -Y, +Z, -Z.
  std::vector<std::string> orientationMarkerLabels() const;
  QToolButton* resetCameraButton() const { return resetButton_; }

  static constexpr double kProposalOpacity = 0.35;

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;
  // Left drag rotates, middle drag pans, right drag and the wheel zoom.
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void releaseGraphics();
  void forwardMouse(QMouseEvent* event, unsigned long vtkEvent, bool repaint = true);
  // After the surfaces changed: the marker shows with them, and an empty scene's first surfaces
  // place the camera.
  void sceneChanged();

  struct Vtk;  // VTK stays out of this header
  std::unique_ptr<Vtk> vtk_;
  QToolButton* resetButton_ = nullptr;
};

}  // namespace protolabel::ui
