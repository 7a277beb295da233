#pragma once
// The 3D view: label surfaces rendered by VTK inside a QOpenGLWidget. Debian's VTK Qt widgets are
// built against Qt 5, so this widget drives a generic VTK render window itself: VTK renders into its
// own framebuffer and paintGL copies that into the widget's.
#include <QOpenGLWidget>

#include <cstdint>
#include <memory>
#include <vector>

#include "protolabel/core/LabelTable.h"
#include "protolabel/core/surface/LabelSurfaces.h"

namespace protolabel::ui {

class SurfaceView : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit SurfaceView(QWidget* parent = nullptr);
  ~SurfaceView() override;

  // Replaces the shown surfaces; colour, opacity and visibility (visible and meshVisible) come from
  // `table`. The first surfaces shown also place the camera; later ones keep the user's view.
  void setSurfaces(const std::vector<core::LabelSurface>& surfaces, const core::LabelTable& table);
  // Restyles the shown surfaces from `table` without replacing them.
  void applyLabelTable(const core::LabelTable& table);
  void setLabelVisible(uint16_t value, bool visible);
  // Anterior view of everything shown: the patient faces the viewer, superior up, patient's left on
  // the viewer's right.
  void resetCamera();
  std::vector<uint16_t> shownLabels() const;

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;
  // Left drag rotates, middle drag pans, right drag and the wheel zoom.
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  void releaseGraphics();
  void forwardMouse(QMouseEvent* event, unsigned long vtkEvent, bool repaint = true);

  struct Vtk;  // VTK stays out of this header
  std::unique_ptr<Vtk> vtk_;
};

}  // namespace protolabel::ui
