// The main window's workspace files (.protolabel): saving the whole session and reopening it.
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>

#include "protolabel/core/Error.h"
#include "protolabel/ui/ImageLoader.h"
#include "protolabel/ui/MainWindow.h"
#include "protolabel/ui/SegmentationRunner.h"

namespace protolabel::ui {

namespace {
constexpr int kMaxRecentWorkspaces = 8;
const char* kWorkspaceFilter = "ProtoLabel workspaces (*.protolabel);;All files (*)";
}  // namespace

void MainWindow::chooseWorkspace() {
  QSettings s;
  const QString path = QFileDialog::getOpenFileName(this, "Open workspace", s.value("folders/workspaces").toString(), kWorkspaceFilter);
  if (path.isEmpty()) return;
  s.setValue("folders/workspaces", QFileInfo(path).path());
  openWorkspace(path);
}

void MainWindow::saveWorkspaceAs() {
  if (!model_.hasImage()) return showMessage("Open an image first");
  const QFileInfo source(QString::fromStdString(model_.session().sourcePath()));
  const QString suggestion = workspacePath_.isEmpty() ? source.absolutePath() + "/" + source.completeBaseName() + ".protolabel"
                                                      : workspacePath_;
  QString path = QFileDialog::getSaveFileName(this, "Save workspace", suggestion, kWorkspaceFilter);
  if (path.isEmpty()) return;
  if (!path.endsWith(core::kWorkspaceExtension)) path += core::kWorkspaceExtension;
  saveWorkspaceTo(path);
}

bool MainWindow::saveWorkspaceTo(const QString& path) {
  if (!model_.hasImage()) return false;
  core::Workspace view;
  view.window = model_.window();
  view.cursor = model_.cursor();
  view.activeLabel = model_.activeLabel();
  view.panel = tabs_->currentIndex();
  view.layout = saveState().toBase64().toStdString();
  try {
    core::saveWorkspace(model_.session(), view, path.toStdString());
  } catch (const core::Error& e) {
    showFailure("Could not save the workspace: " + QString::fromStdString(e.what()));
    return false;
  }
  workspacePath_ = path;
  labelsPath_ = QString::fromStdString(core::workspaceLabelsPathFor(path.toStdString()));
  model_.session().markSaved();
  dropAutosave(model_.session().sourcePath());
  autosaveCurrent_ = true;
  addRecentWorkspace(path);
  updateTitle();
  showMessage("Saved workspace " + path + " (labels in " + QFileInfo(labelsPath_).fileName() + ")");
  return true;
}

bool MainWindow::openWorkspace(const QString& path) {
  core::Workspace workspace;
  try {
    workspace = core::readWorkspace(path.toStdString());
  } catch (const core::Error& e) {
    showFailure("Could not open the workspace: " + QString::fromStdString(e.what()));
    return false;
  }
  const QString image = QString::fromStdString(workspace.imagePath);
  if (!QFileInfo::exists(image)) {
    showFailure("The workspace's image is gone: " + image);
    return false;
  }
  if (loader_->busy() || runner_->running()) {
    showMessage("Wait for the image loading or segmentation to finish first");
    return false;
  }
  openImage(image, QString::fromStdString(workspace.labelsPath));
  if (!loader_->busy()) return false;  // the user kept the open labels
  pendingWorkspace_ = workspace;
  pendingWorkspacePath_ = path;
  return true;
}

void MainWindow::applyWorkspace(const core::Workspace& workspace) {
  core::AnnotationSession& session = model_.session();
  session.restoreExamples(workspace.examples);
  model_.notifySupportsChanged();
  if (workspace.window) model_.setWindow(*workspace.window);
  model_.setCursor(workspace.cursor);
  if (session.table().find(workspace.activeLabel)) model_.setActiveLabel(workspace.activeLabel);
  if (workspace.panel >= 0 && workspace.panel < tabs_->count()) tabs_->setCurrentIndex(workspace.panel);
  if (!workspace.layout.empty()) restoreState(QByteArray::fromBase64(QByteArray::fromStdString(workspace.layout)));
  workspacePath_ = std::exchange(pendingWorkspacePath_, QString());
  session.markSaved();
  addRecentWorkspace(workspacePath_);
  updateTitle();
  showMessage("Opened workspace " + workspacePath_);
}

void MainWindow::addRecentWorkspace(const QString& path) {
  QSettings s;
  QStringList recent = s.value("recentWorkspaces").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecentWorkspaces) recent.removeLast();
  s.setValue("recentWorkspaces", recent);
  rebuildRecentMenu();
}

}  // namespace protolabel::ui
