#include "protolabel/ui/SurfaceView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>
#include <QToolButton>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkAnnotatedCubeActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkIdTypeArray.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkOrientationMarkerWidget.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <cmath>
#include <map>

namespace protolabel::ui {

namespace {

vtkSmartPointer<vtkPolyData> toPolyData(const core::LabelSurface& surface) {
  auto coordinates = vtkSmartPointer<vtkFloatArray>::New();
  coordinates->SetNumberOfComponents(3);
  coordinates->SetNumberOfTuples(vtkIdType(surface.pointCount()));
  std::copy(surface.points.begin(), surface.points.end(), coordinates->GetPointer(0));
  auto points = vtkSmartPointer<vtkPoints>::New();
  points->SetData(coordinates);

  auto connectivity = vtkSmartPointer<vtkIdTypeArray>::New();
  connectivity->SetNumberOfValues(vtkIdType(surface.triangles.size()));
  std::copy(surface.triangles.begin(), surface.triangles.end(), connectivity->GetPointer(0));
  auto triangles = vtkSmartPointer<vtkCellArray>::New();
  triangles->SetData(3, connectivity);

  auto mesh = vtkSmartPointer<vtkPolyData>::New();
  mesh->SetPoints(points);
  mesh->SetPolys(triangles);
  if (surface.normals.size() == surface.points.size()) {
    auto normals = vtkSmartPointer<vtkFloatArray>::New();
    normals->SetName("Normals");
    normals->SetNumberOfComponents(3);
    normals->SetNumberOfTuples(vtkIdType(surface.pointCount()));
    std::copy(surface.normals.begin(), surface.normals.end(), normals->GetPointer(0));
    mesh->GetPointData()->SetNormals(normals);
  }
  return mesh;
}

// `opacityScale` < 1 draws a proposal: the label's colour, translucent.
void styleActor(vtkActor* actor, uint16_t value, const core::LabelTable& table, double opacityScale = 1.0,
                bool shown = true) {
  const core::LabelEntry* entry = table.find(value);
  const auto color = entry ? entry->color : core::LabelTable::defaultColor(value);
  vtkProperty* property = actor->GetProperty();
  property->SetColor(color[0] / 255.0, color[1] / 255.0, color[2] / 255.0);
  property->SetOpacity((entry ? entry->opacity : 1.0) * opacityScale);
  property->SetSpecular(0.2);
  property->SetSpecularPower(20);
  actor->SetVisibility(shown && (!entry || (entry->visible && entry->meshVisible)));
}

vtkSmartPointer<vtkActor> makeActor(const core::LabelSurface& surface) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(toPolyData(surface));
  mapper->ScalarVisibilityOff();  // one colour per label, from the table
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  return actor;
}

// The scene is in physical LPS millimetres: +x points to the patient's left, +y posterior, +z
// superior. Neutral greys, so the marker is never mistaken for a label's colour.
void styleMarker(vtkAnnotatedCubeActor* cube) {
  cube->SetXPlusFaceText("L");
  cube->SetXMinusFaceText("R");
  cube->SetYPlusFaceText("P");
  cube->SetYMinusFaceText("A");
  cube->SetZPlusFaceText("S");
  cube->SetZMinusFaceText("I");
  cube->SetFaceTextScale(0.6);
  cube->GetCubeProperty()->SetColor(0.45, 0.45, 0.45);
  cube->GetTextEdgesProperty()->SetColor(0.2, 0.2, 0.2);
  for (vtkProperty* face : {cube->GetXPlusFaceProperty(), cube->GetXMinusFaceProperty(), cube->GetYPlusFaceProperty(),
                            cube->GetYMinusFaceProperty(), cube->GetZPlusFaceProperty(), cube->GetZMinusFaceProperty()})
    face->SetColor(1, 1, 1);
}

}  // namespace

struct SurfaceView::Vtk {
  vtkNew<vtkGenericOpenGLRenderWindow> window;
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkGenericRenderWindowInteractor> interactor;
  vtkNew<vtkInteractorStyleTrackballCamera> interaction;
  vtkNew<vtkCallbackCommand> contextCallback;
  std::map<uint16_t, vtkSmartPointer<vtkActor>> actors;
  std::map<uint16_t, vtkSmartPointer<vtkActor>> proposalActors;
  core::LabelTable proposalTable;  // the colours the proposal surfaces were styled with
  bool proposalVisible = true;
  vtkNew<vtkAnnotatedCubeActor> cube;
  // Declared after the window and interactor: it leaves them when destroyed.
  vtkNew<vtkOrientationMarkerWidget> marker;
  bool glReady = false;
  bool cameraPlaced = false;
};

SurfaceView::SurfaceView(QWidget* parent) : QOpenGLWidget(parent), vtk_(std::make_unique<Vtk>()) {
  // VTK's OpenGL2 backend needs a 3.2 core context.
  QSurfaceFormat format = QSurfaceFormat::defaultFormat();
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setSamples(0);
  setFormat(format);
  setMinimumSize(160, 160);
  setFocusPolicy(Qt::StrongFocus);

  Vtk& v = *vtk_;
  v.renderer->SetBackground(0.10, 0.11, 0.13);
  v.renderer->SetBackground2(0.02, 0.02, 0.03);
  v.renderer->GradientBackgroundOn();
  // Correct blending of semi-transparent labels, whatever their drawing order.
  v.renderer->SetUseDepthPeeling(true);
  v.renderer->SetMaximumNumberOfPeels(6);
  v.window->AddRenderer(v.renderer);
  v.window->SetMultiSamples(0);
  v.window->SetReadyForRendering(false);  // until initializeGL gives it a context
  v.window->SetFrameBlitModeToNoBlit();   // paintGL copies the frame into the widget

  // VTK asks its host to make the context current and to report whether it is. Not
  // QOpenGLWidget::makeCurrent(): that rebinds Qt's framebuffer in the middle of VTK's render.
  v.contextCallback->SetClientData(this);
  v.contextCallback->SetCallback([](vtkObject*, unsigned long event, void* clientData, void* callData) {
    auto* self = static_cast<SurfaceView*>(clientData);
    QOpenGLContext* context = self->context();
    if (!context) return;
    if (event == vtkCommand::WindowMakeCurrentEvent)
      context->makeCurrent(context->surface());
    else if (event == vtkCommand::WindowIsCurrentEvent)
      *static_cast<bool*>(callData) = QOpenGLContext::currentContext() == context;
  });
  v.window->AddObserver(vtkCommand::WindowMakeCurrentEvent, v.contextCallback);
  v.window->AddObserver(vtkCommand::WindowIsCurrentEvent, v.contextCallback);

  // The interactor only turns mouse events into camera moves; rendering happens in paintGL.
  v.interactor->SetRenderWindow(v.window);
  v.interactor->SetInteractorStyle(v.interaction);
  v.interactor->EnableRenderOff();
  v.interactor->Initialize();

  // The marker draws in its own renderer on a layer above the scene, turned with the scene's camera.
  styleMarker(v.cube);
  v.marker->SetOrientationMarker(v.cube);
  v.marker->SetInteractor(v.interactor);
  v.marker->SetViewport(0.0, 0.0, 0.18, 0.18);
  v.marker->SetCurrentRenderer(v.renderer);
  v.marker->SetEnabled(1);
  v.marker->InteractiveOff();    // drags always turn the camera, never move the marker
  v.cube->SetVisibility(false);  // until there is something to orient (enabling shows it)

  resetButton_ = new QToolButton(this);
  resetButton_->setObjectName("reset-camera");
  resetButton_->setText("Reset camera");
  resetButton_->setToolTip("Anterior view of all surfaces (R)");
  resetButton_->setCursor(Qt::ArrowCursor);
  // Light on the view's dark background, whatever the desktop's palette.
  resetButton_->setStyleSheet(
      "QToolButton { color: #e0e0e0; background: rgba(255, 255, 255, 28); border: 1px solid rgba(255, 255, 255, 70);"
      " border-radius: 3px; padding: 2px 6px; }"
      "QToolButton:hover { background: rgba(255, 255, 255, 60); }");
  connect(resetButton_, &QToolButton::clicked, this, &SurfaceView::resetCamera);
}

SurfaceView::~SurfaceView() {
  // The context outlives this destructor (QOpenGLWidget's destroys it): release now, and stop
  // listening to it.
  if (context()) disconnect(context(), nullptr, this, nullptr);
  releaseGraphics();
}

void SurfaceView::releaseGraphics() {
  if (!vtk_->glReady) return;
  makeCurrent();
  vtk_->window->Finalize();
  vtk_->window->SetReadyForRendering(false);
  vtk_->glReady = false;
  doneCurrent();
}

void SurfaceView::initializeGL() {
  // A widget moved to another window gets a new context: free what the old one held first.
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &SurfaceView::releaseGraphics,
          Qt::UniqueConnection);
  Vtk& v = *vtk_;
  v.window->SetOwnContext(false);
  v.window->SetReadyForRendering(true);
  v.window->SetForceMaximumHardwareLineWidth(1);
  v.window->OpenGLInitContext();
  v.glReady = true;
  const qreal ratio = devicePixelRatioF();
  v.interactor->UpdateSize(int(width() * ratio), int(height() * ratio));
}

void SurfaceView::resizeGL(int width, int height) {
  const qreal ratio = devicePixelRatioF();
  vtk_->interactor->UpdateSize(int(width * ratio), int(height * ratio));  // also sizes the window
}

void SurfaceView::paintGL() {
  Vtk& v = *vtk_;
  QOpenGLExtraFunctions* gl = context()->extraFunctions();
  if (!v.glReady) {
    gl->glClearColor(0, 0, 0, 1);
    gl->glClear(GL_COLOR_BUFFER_BIT);
    return;
  }
  v.window->Render();

  // Copy VTK's frame into the widget's framebuffer.
  gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  const GLenum colorAttachment = GL_COLOR_ATTACHMENT0;
  gl->glDrawBuffers(1, &colorAttachment);
  const bool scissor = gl->glIsEnabled(GL_SCISSOR_TEST);
  if (scissor) {
    v.window->GetState()->vtkglDisable(GL_SCISSOR_TEST);
    gl->glDisable(GL_SCISSOR_TEST);
  }
  const int* frame = v.window->GetRenderFramebuffer()->GetLastSize();
  const qreal ratio = devicePixelRatioF();
  const int targetWidth = int(width() * ratio), targetHeight = int(height() * ratio);
  v.window->BlitDisplayFramebuffer(0, 0, 0, frame[0], frame[1], 0, 0, targetWidth, targetHeight,
                                   GL_COLOR_BUFFER_BIT, GL_LINEAR);
  // An opaque widget: clear alpha, else the compositor blends the view with what lies behind it.
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0, 0, 0, 1);
  gl->glViewport(0, 0, targetWidth, targetHeight);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  if (scissor) {
    v.window->GetState()->vtkglEnable(GL_SCISSOR_TEST);
    gl->glEnable(GL_SCISSOR_TEST);
  }
}

void SurfaceView::setSurfaces(const std::vector<core::LabelSurface>& surfaces, const core::LabelTable& table) {
  Vtk& v = *vtk_;
  for (const auto& [value, actor] : v.actors) v.renderer->RemoveActor(actor);
  v.actors.clear();
  for (const core::LabelSurface& surface : surfaces) {
    if (surface.triangles.empty()) continue;
    auto actor = makeActor(surface);
    styleActor(actor, surface.value, table);
    v.renderer->AddActor(actor);
    v.actors[surface.value] = actor;
  }
  sceneChanged();
}

void SurfaceView::setProposalSurfaces(const std::vector<core::LabelSurface>& surfaces, const core::LabelTable& table) {
  Vtk& v = *vtk_;
  for (const auto& [value, actor] : v.proposalActors) v.renderer->RemoveActor(actor);
  v.proposalActors.clear();
  v.proposalTable = table;
  for (const core::LabelSurface& surface : surfaces) {
    if (surface.triangles.empty()) continue;
    auto actor = makeActor(surface);
    styleActor(actor, surface.value, table, kProposalOpacity, v.proposalVisible);
    v.renderer->AddActor(actor);
    v.proposalActors[surface.value] = actor;
  }
  sceneChanged();
}

void SurfaceView::keepProposalLabels(const std::set<uint16_t>& pending) {
  Vtk& v = *vtk_;
  bool removed = false;
  for (auto it = v.proposalActors.begin(); it != v.proposalActors.end();) {
    if (pending.count(it->first)) {
      ++it;
      continue;
    }
    v.renderer->RemoveActor(it->second);
    it = v.proposalActors.erase(it);
    removed = true;
  }
  if (removed) sceneChanged();
}

void SurfaceView::setProposalVisible(bool visible) {
  Vtk& v = *vtk_;
  v.proposalVisible = visible;
  for (const auto& [value, actor] : v.proposalActors)
    styleActor(actor, value, v.proposalTable, kProposalOpacity, visible);
  update();
}

void SurfaceView::clearScene() {
  setSurfaces({}, {});
  setProposalSurfaces({}, {});
}

void SurfaceView::sceneChanged() {
  Vtk& v = *vtk_;
  const bool any = !v.actors.empty() || !v.proposalActors.empty();
  v.cube->SetVisibility(any);
  // An empty scene has no view worth keeping: the next surfaces place the camera again, so it
  // never stays zoomed in on what is gone.
  if (!any) v.cameraPlaced = false;
  if (any && !v.cameraPlaced) return resetCamera();
  v.renderer->ResetCameraClippingRange();
  update();
}

void SurfaceView::applyLabelTable(const core::LabelTable& table) {
  Vtk& v = *vtk_;
  for (const auto& [value, actor] : v.actors) styleActor(actor, value, table);
  v.proposalTable = table;
  for (const auto& [value, actor] : v.proposalActors)
    styleActor(actor, value, table, kProposalOpacity, v.proposalVisible);
  update();
}

void SurfaceView::setLabelVisible(uint16_t value, bool visible) {
  const auto it = vtk_->actors.find(value);
  if (it == vtk_->actors.end()) return;
  it->second->SetVisibility(visible);
  update();
}

void SurfaceView::resetCamera() {
  Vtk& v = *vtk_;
  // LPS: +y points to the patient's back, so an anterior view looks along +y from the front.
  vtkCamera* camera = v.renderer->GetActiveCamera();
  camera->SetFocalPoint(0, 0, 0);
  camera->SetPosition(0, -1, 0);
  camera->SetViewUp(0, 0, 1);
  v.renderer->ResetCamera();  // fits the visible surfaces, keeping this direction
  v.cameraPlaced = !v.actors.empty() || !v.proposalActors.empty();
  update();
}

std::vector<uint16_t> SurfaceView::shownLabels() const {
  std::vector<uint16_t> values;
  for (const auto& [value, actor] : vtk_->actors)
    if (actor->GetVisibility()) values.push_back(value);
  return values;
}

std::vector<uint16_t> SurfaceView::shownProposalLabels() const {
  std::vector<uint16_t> values;
  for (const auto& [value, actor] : vtk_->proposalActors)
    if (actor->GetVisibility()) values.push_back(value);
  return values;
}

bool SurfaceView::sceneInView() const {
  vtkRenderer* renderer = vtk_->renderer;
  double b[6];
  renderer->ComputeVisiblePropBounds(b);
  if (b[0] > b[1]) return true;  // nothing visible
  // Normalised device coordinates: inside the view and the clipping range means all in [-1, 1].
  vtkMatrix4x4* projection =
      renderer->GetActiveCamera()->GetCompositeProjectionTransformMatrix(renderer->GetTiledAspectRatio(), -1, 1);
  constexpr double slack = 1e-6;
  for (int corner = 0; corner < 8; ++corner) {
    const double world[4] = {b[corner & 1], b[2 + ((corner >> 1) & 1)], b[4 + ((corner >> 2) & 1)], 1.0};
    double clip[4];
    projection->MultiplyPoint(world, clip);
    if (clip[3] <= 0) return false;  // behind the camera
    for (int a = 0; a < 3; ++a)
      if (std::abs(clip[a] / clip[3]) > 1 + slack) return false;
  }
  return true;
}

bool SurfaceView::orientationMarkerShown() const {
  return vtk_->marker->GetEnabled() && vtk_->cube->GetVisibility();
}

std::vector<std::string> SurfaceView::orientationMarkerLabels() const {
  vtkAnnotatedCubeActor* c = vtk_->cube;
  return {c->GetXPlusFaceText(), c->GetXMinusFaceText(), c->GetYPlusFaceText(),
          c->GetYMinusFaceText(), c->GetZPlusFaceText(), c->GetZMinusFaceText()};
}

void SurfaceView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_R && event->modifiers() == Qt::NoModifier) return resetCamera();
  QOpenGLWidget::keyPressEvent(event);
}

void SurfaceView::resizeEvent(QResizeEvent* event) {
  QOpenGLWidget::resizeEvent(event);
  resetButton_->adjustSize();
  resetButton_->move(width() - resetButton_->width() - 4, 4);
}

void SurfaceView::forwardMouse(QMouseEvent* event, unsigned long vtkEvent, bool repaint) {
  const qreal ratio = devicePixelRatioF();
  const QPointF at = event->position() * ratio;
  const Qt::KeyboardModifiers modifiers = event->modifiers();
  vtk_->interactor->SetEventInformationFlipY(int(at.x()), int(at.y()), modifiers.testFlag(Qt::ControlModifier),
                                             modifiers.testFlag(Qt::ShiftModifier));
  vtk_->interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier));
  vtk_->interactor->InvokeEvent(vtkEvent, nullptr);
  if (repaint) update();
}

void SurfaceView::mousePressEvent(QMouseEvent* event) {
  switch (event->button()) {
    case Qt::LeftButton: return forwardMouse(event, vtkCommand::LeftButtonPressEvent);
    case Qt::MiddleButton: return forwardMouse(event, vtkCommand::MiddleButtonPressEvent);
    case Qt::RightButton: return forwardMouse(event, vtkCommand::RightButtonPressEvent);
    default: QOpenGLWidget::mousePressEvent(event);
  }
}

void SurfaceView::mouseReleaseEvent(QMouseEvent* event) {
  switch (event->button()) {
    case Qt::LeftButton: return forwardMouse(event, vtkCommand::LeftButtonReleaseEvent);
    case Qt::MiddleButton: return forwardMouse(event, vtkCommand::MiddleButtonReleaseEvent);
    case Qt::RightButton: return forwardMouse(event, vtkCommand::RightButtonReleaseEvent);
    default: QOpenGLWidget::mouseReleaseEvent(event);
  }
}

void SurfaceView::mouseMoveEvent(QMouseEvent* event) {
  // Hovering moves no camera: only drags need a new frame.
  forwardMouse(event, vtkCommand::MouseMoveEvent, event->buttons() != Qt::NoButton);
}

void SurfaceView::wheelEvent(QWheelEvent* event) {
  const int delta = event->angleDelta().y();
  if (delta == 0) return;
  const qreal ratio = devicePixelRatioF();
  const QPointF at = event->position() * ratio;
  vtk_->interactor->SetEventInformationFlipY(int(at.x()), int(at.y()));
  vtk_->interactor->InvokeEvent(delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent,
                                nullptr);
  event->accept();
  update();
}

}  // namespace protolabel::ui
