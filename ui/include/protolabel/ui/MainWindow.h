#pragma once
// The application window: axial, sagittal and coronal slice views plus the 3D surface view, the
// label, segmentation and fine-tune tabs, the toolbar (files, undo, tools, brush, window presets),
// autosave with recovery, and persistent settings. It wires the pieces; each piece holds its logic.
#include <QMainWindow>
#include <QTimer>
#include <memory>

#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelExport.h"
#include "protolabel/core/session/Workspace.h"
#include "protolabel/core/session/RecoveryStore.h"
#include "protolabel/ui/BackgroundWork.h"
#include "protolabel/ui/ViewerModel.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTabWidget;

namespace protolabel::ui {

class FinetunePanel;
class ImageLoader;
class LabelPanel;
class SegmentationRunner;
class SegmentPanel;
class SliceView;
class StartPage;
class SurfaceUpdater;
class SurfaceView;
class ToolsPanel;

struct MainWindowOptions {
  QString defaultModel;    // the bundled model (never overwritten by fine-tuning)
  QString recoveryFolder;  // autosaves; empty: the standard application data folder
  bool askQuestions = true;  // false in tests and screenshots: no modal questions
  QString sampleImage, sampleExamples;  // the bundled sample and its saved examples (start page)
  QString modelCard;       // the shipped model's card (Help > About)
  QString version;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const MainWindowOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  ViewerModel& model() { return model_; }
  SliceView* sliceView(core::Axis axis) const;
  SurfaceView* surfaceView() const { return surfaceView_; }
  SegmentPanel* segmentPanel() const { return segmentPanel_; }
  SegmentationRunner* runner() const { return runner_; }
  LabelPanel* labelPanel() const { return labelPanel_; }
  FinetunePanel* finetunePanel() const { return finetunePanel_; }
  ToolsPanel* toolsPanel() const { return toolsPanel_; }
  QTabWidget* panelTabs() const { return tabs_; }
  QComboBox* windowPresetBox() const { return presets_; }
  ImageLoader* loader() const { return loader_; }
  core::RecoveryStore& recovery() { return recovery_; }

  // Opens an image (file or DICOM folder) in the background; `labelsPath` loads labels after it
  // (`labelsRecovered`: an autosave, which stays unsaved work).
  void openImage(const QString& path, const QString& labelsPath = {}, bool labelsRecovered = false);
  bool openLabels(const QString& path);
  bool saveLabelsTo(const QString& path);
  // A workspace (.protolabel): the labels beside it, the examples, window, cursor and layout.
  bool saveWorkspaceTo(const QString& path);
  // Opens the workspace's image in the background, then its labels and examples (imageLoaded()).
  bool openWorkspace(const QString& path);
  QString workspacePath() const { return workspacePath_; }
  // Exports as the dialog would with `request`; the files written, named in the status bar.
  QStringList exportTo(core::ExportRequest request);
  // Writes the autosave now (normally every minute and after each segmentation run).
  void autosaveNow(bool wait = false);
  // Offers (or, without questions, performs) recovery of autosaved labels. Returns true if recovered.
  bool offerRecovery();
  bool recover(const core::RecoveryEntry& entry);
  void applyWindowPreset(int index);
  // The bundled sample with its saved examples, ready for "Segment all labels".
  void openSample();
  StartPage* startPage() const { return startPage_; }
  bool showingStartPage() const;
  // Every menu action (for Help > Keyboard shortcuts).
  QList<QAction*> allActions() const;
  QString lastMessage() const { return lastMessage_; }
  // A failure caught by the application's guard: in the status bar, and in a message box when the
  // window may ask questions. The labels stay as they were.
  void showFailure(const QString& message);

 public Q_SLOTS:
  void chooseImage();
  void chooseDicomFolder();
  void chooseLabels();
  void saveLabels();
  void saveLabelsAs();
  void exportLabels();
  void chooseWorkspace();
  void saveWorkspaceAs();

 Q_SIGNALS:
  void imageLoaded();
  void imageLoadFailed(const QString& message);
  void surfacesUpdated();
  void autosaveFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent*) override;
  void dragEnterEvent(QDragEnterEvent*) override;
  void dropEvent(QDropEvent*) override;

 private:
  void buildViews();
  void buildActions();
  void buildDock();
  void buildHelpMenu();
  void restoreSettings();
  void saveSettings() const;
  void onImageLoaded(std::shared_ptr<core::LoadedImage> image);
  bool maybeKeepUnsavedLabels();  // false: the user cancelled
  void addRecentFile(const QString& path);
  void addRecentWorkspace(const QString& path);
  void applyWorkspace(const core::Workspace& workspace);
  void showWindowInPresets();  // selects the matching preset, or "Custom" after a right-drag
  void rebuildRecentMenu();
  void requestSurfaces();
  void onAutosaveFinished(const QString& error);
  void dropAutosave(const std::string& sourcePath);
  void showMessage(const QString& text, int timeoutMs = 6000);
  void updateTitle();

  MainWindowOptions options_;
  ViewerModel model_;
  core::RecoveryStore recovery_;
  SliceView* views_[3] = {nullptr, nullptr, nullptr};
  SurfaceView* surfaceView_ = nullptr;
  SurfaceUpdater* surfaceUpdater_ = nullptr;
  SegmentationRunner* runner_ = nullptr;
  ImageLoader* loader_ = nullptr;
  LabelPanel* labelPanel_ = nullptr;
  SegmentPanel* segmentPanel_ = nullptr;
  FinetunePanel* finetunePanel_ = nullptr;
  ToolsPanel* toolsPanel_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QComboBox* presets_ = nullptr;
  QDoubleSpinBox* brushSize_ = nullptr;
  QComboBox* brushUnit_ = nullptr;
  QLabel* cursorInfo_ = nullptr;
  QProgressBar* loadProgress_ = nullptr;  // busy indicator while an image loads
  QMenu* recentMenu_ = nullptr;
  QStackedWidget* pages_ = nullptr;  // the start page, then the views
  StartPage* startPage_ = nullptr;
  QTimer autosaveTimer_;
  QTimer surfaceTimer_;
  BackgroundTask<QString> autosave_{[this](QString error) { onAutosaveFinished(error); }};
  QString labelsPath_;
  QString workspacePath_;  // the open workspace; saving saves it
  std::optional<core::Workspace> pendingWorkspace_;  // applied once its image and labels are in
  QString pendingWorkspacePath_;
  QString pendingLabels_;
  bool pendingLabelsRecovered_ = false;  // pendingLabels_ is an autosave, not the user's file
  bool pendingLabelsAreExamples_ = false;  // pendingLabels_ holds saved examples (the sample's)
  QString lastMessage_;
  bool autosaveCurrent_ = true;  // nothing changed since the last autosave
};

}  // namespace protolabel::ui
