#include "protolabel/ui/MainWindow.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QDockWidget>
#include <cmath>
#include <functional>

#include "ProposalSurfaceFeed.h"
#include "SurfaceUpdater.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelExport.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/ui/ExportDialog.h"
#include "protolabel/ui/FinetunePanel.h"
#include "protolabel/ui/FinetuneRunner.h"
#include "protolabel/ui/ImageLoader.h"
#include "protolabel/ui/LabelPanel.h"
#include "protolabel/ui/SegmentPanel.h"
#include "protolabel/ui/SegmentationRunner.h"
#include "protolabel/ui/HelpDialog.h"
#include "protolabel/ui/SliceView.h"
#include "protolabel/ui/StartPage.h"
#include "protolabel/ui/StatisticsPanel.h"
#include "protolabel/ui/SurfaceView.h"
#include "protolabel/ui/ToolsPanel.h"

namespace protolabel::ui {

namespace {

constexpr int kAutosaveMs = 60 * 1000;
constexpr int kMaxRecentFiles = 10;
const char* kImageFilter = "Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.dcm.gz);;All files (*)";
const char* kLabelFilter = "Label maps (*.nii.gz *.nii *.nrrd *.seg.nrrd *.mha *.mhd);;All files (*)";
const char* kOpenLabelFilter =
    "Label maps (*.nii.gz *.nii *.nrrd *.seg.nrrd *.mha *.mhd *.dcm);;DICOM Segmentations (*.dcm);;All files (*)";

QString recoveryFolderFor(const MainWindowOptions& options) {
  if (!options.recoveryFolder.isEmpty()) return options.recoveryFolder;
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/recovery";
}

QString stemOf(const QString& path) {
  QString name = QFileInfo(path).fileName();
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".dcm.gz", ".dcm"})
    if (name.endsWith(ext, Qt::CaseInsensitive)) return name.left(name.size() - int(strlen(ext)));
  return name;
}

QStringList fileNames(const QStringList& paths) {
  QStringList names;
  for (const QString& path : paths) names << QFileInfo(path).fileName();
  return names;
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options), recovery_(recoveryFolderFor(options).toStdString()) {
  setObjectName("main-window");
  setAcceptDrops(true);
  runner_ = new SegmentationRunner(this);
  loader_ = new ImageLoader(this);
  surfaceUpdater_ = new SurfaceUpdater(this);
  buildViews();
  buildDock();
  buildActions();
  restoreSettings();
  updateTitle();

  connect(loader_, &ImageLoader::loaded, this, &MainWindow::onImageLoaded);
  connect(loader_, &ImageLoader::failed, this, [this](const QString& path, const QString& message) {
    QApplication::restoreOverrideCursor();
    loadProgress_->setVisible(false);
    showMessage("Could not open " + path + ": " + message);
    if (options_.askQuestions) QMessageBox::warning(this, "Open image", message);
    Q_EMIT imageLoadFailed(message);
  });
  connect(loader_, &ImageLoader::seriesChoiceNeeded, this, [this](const QString& path, const QStringList& series) {
    QApplication::restoreOverrideCursor();
    loadProgress_->setVisible(false);
    bool ok = !options_.askQuestions;
    const QString chosen =
        options_.askQuestions ? QInputDialog::getItem(this, "Choose a series", "This folder holds several series:", series, 0, false, &ok)
                              : series.front();
    if (!ok) return;
    QApplication::setOverrideCursor(Qt::BusyCursor);
    loadProgress_->setVisible(true);
    loader_->loadSeries(path, int(series.indexOf(chosen)));
  });

  autosaveTimer_.setInterval(kAutosaveMs);
  connect(&autosaveTimer_, &QTimer::timeout, this, [this] { autosaveNow(); });
  autosaveTimer_.start();
  surfaceTimer_.setSingleShot(true);
  surfaceTimer_.setInterval(250);  // coalesce bursts of edits into one remesh
  connect(&surfaceTimer_, &QTimer::timeout, this, &MainWindow::requestSurfaces);
  connect(&model_, &ViewerModel::editFinished, this, [this] {
    autosaveCurrent_ = false;
    surfaceTimer_.start();
    updateTitle();
  });
  connect(&model_, &ViewerModel::tableChanged, this, [this] {
    if (surfaceView_) surfaceView_->applyLabelTable(model_.session().table());
  });
  // A new image: surfaces still meshing belong to the old one, and the next ones place the camera.
  connect(&model_, &ViewerModel::imageChanged, this, [this] {
    surfaceUpdater_->discard();
    surfaceView_->clearScene();
  });
  new ProposalSurfaceFeed(&model_, surfaceView_, this);
  connect(surfaceUpdater_, &SurfaceUpdater::surfacesReady, this, [this](const std::vector<core::LabelSurface>& s) {
    surfaceView_->setSurfaces(s, model_.session().table());
    Q_EMIT surfacesUpdated();
  });
  connect(segmentPanel_, &SegmentPanel::segmentationFinished, this, [this] { autosaveNow(); });
}

MainWindow::~MainWindow() {
  runner_->cancel();
  runner_->wait();
  autosave_.wait();
  loader_->wait();
  // The views and panels use model_, a member that dies before QWidget deletes its children: an
  // editor still open in the label table would commit into a destroyed model while closing.
  delete takeCentralWidget();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) delete dock;
}

SliceView* MainWindow::sliceView(core::Axis axis) const { return views_[int(axis)]; }

void MainWindow::buildViews() {
  auto* central = new QWidget(this);
  auto* grid = new QGridLayout(central);
  grid->setSpacing(2);
  grid->setContentsMargins(2, 2, 2, 2);
  for (core::Axis axis : {core::Axis::X, core::Axis::Y, core::Axis::Z}) {
    views_[int(axis)] = new SliceView(axis, &model_, central);
    connect(views_[int(axis)], &SliceView::cursorInfo, this, [this](const QString& text) { cursorInfo_->setText(text); });
  }
  surfaceView_ = new SurfaceView(central);
  surfaceView_->setObjectName("surface-view");
  // ITK-SNAP's arrangement: axial, sagittal / coronal, 3D.
  grid->addWidget(views_[int(core::Axis::Z)], 0, 0);
  grid->addWidget(views_[int(core::Axis::X)], 0, 1);
  grid->addWidget(views_[int(core::Axis::Y)], 1, 0);
  grid->addWidget(surfaceView_, 1, 1);
  // Until an image is open, the start page stands where the views will be.
  pages_ = new QStackedWidget(this);
  startPage_ = new StartPage(pages_);
  startPage_->setSampleAvailable(QFileInfo(options_.sampleImage).isFile());
  pages_->addWidget(startPage_);
  pages_->addWidget(central);
  setCentralWidget(pages_);
  connect(startPage_, &StartPage::openSampleRequested, this, &MainWindow::openSample);
  connect(startPage_, &StartPage::openImageRequested, this, &MainWindow::chooseImage);
  connect(startPage_, &StartPage::openDicomRequested, this, &MainWindow::chooseDicomFolder);
  connect(startPage_, &StartPage::openRecentRequested, this, [this](const QString& path) { openImage(path); });
  connect(startPage_, &StartPage::openWorkspaceRequested, this, [this](const QString& path) { openWorkspace(path); });
  connect(&model_, &ViewerModel::imageChanged, this, [this, central] { pages_->setCurrentWidget(central); });
  cursorInfo_ = new QLabel(this);
  statusBar()->addPermanentWidget(cursorInfo_, 1);
  // ITK reports no progress while reading, so loading shows a busy bar (the window stays usable).
  loadProgress_ = new QProgressBar(this);
  loadProgress_->setRange(0, 0);
  loadProgress_->setMaximumWidth(160);
  loadProgress_->setVisible(false);
  statusBar()->addPermanentWidget(loadProgress_);
}

void MainWindow::buildDock() {
  tabs_ = new QTabWidget(this);
  labelPanel_ = new LabelPanel(&model_, tabs_);
  segmentPanel_ = new SegmentPanel(&model_, runner_, tabs_);
  finetunePanel_ = new FinetunePanel(&model_, tabs_);
  toolsPanel_ = new ToolsPanel(&model_, tabs_);
  tabs_->addTab(labelPanel_, "Labels");
  tabs_->addTab(toolsPanel_, "Tools");
  tabs_->addTab(segmentPanel_, "Segment");
  tabs_->addTab(finetunePanel_, "Fine-tune");
  for (SliceView* view : views_) connect(view, &SliceView::growRequested, toolsPanel_, &ToolsPanel::growFrom);
  tabs_->addTab(new StatisticsPanel(&model_, tabs_), "Statistics");
  auto* dock = new QDockWidget("Tools", this);
  dock->setObjectName("tools-dock");
  dock->setWidget(tabs_);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  connect(segmentPanel_, &SegmentPanel::modelFileChanged, finetunePanel_, &FinetunePanel::setBaseModel);
  connect(finetunePanel_, &FinetunePanel::useModel, this, [this](const QString& path) {
    segmentPanel_->setModelFile(path);
    tabs_->setCurrentWidget(segmentPanel_);
    showMessage("Segmentation now uses " + QFileInfo(path).fileName());
  });
}

void MainWindow::buildActions() {
  QMenu* file = menuBar()->addMenu("&File");
  QToolBar* bar = addToolBar("Main");
  bar->setObjectName("main-toolbar");
  auto add = [&](QMenu* menu, const QString& text, QKeySequence key, auto slot, bool onBar = false) {
    QAction* a = menu->addAction(text);
    a->setShortcut(key);
    connect(a, &QAction::triggered, this, slot);
    if (onBar) bar->addAction(a);
    return a;
  };
  add(file, "&Open image…", QKeySequence::Open, &MainWindow::chooseImage, true);
  add(file, "Open &DICOM folder…", QKeySequence("Ctrl+D"), &MainWindow::chooseDicomFolder, true);
  recentMenu_ = file->addMenu("Recent files");
  file->addSeparator();
  add(file, "Open &labels…", QKeySequence("Ctrl+L"), &MainWindow::chooseLabels);
  add(file, "&Save labels", QKeySequence::Save, &MainWindow::saveLabels, true);
  add(file, "Save labels &as…", QKeySequence::SaveAs, &MainWindow::saveLabelsAs);
  add(file, "&Export…", QKeySequence("Ctrl+E"), &MainWindow::exportLabels, true);
  file->addSeparator();
  add(file, "Open &workspace…", QKeySequence("Ctrl+Shift+O"), &MainWindow::chooseWorkspace);
  add(file, "Save wor&kspace as…", QKeySequence("Ctrl+Alt+S"), &MainWindow::saveWorkspaceAs);
  file->addSeparator();
  add(file, "&Quit", QKeySequence::Quit, &QWidget::close);
  bar->addSeparator();

  QMenu* edit = menuBar()->addMenu("&Edit");
  QAction* undo = edit->addAction("&Undo");
  undo->setShortcuts({QKeySequence::Undo});
  QAction* redo = edit->addAction("&Redo");
  redo->setShortcuts({QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")});
  connect(undo, &QAction::triggered, &model_, &ViewerModel::undo);
  connect(redo, &QAction::triggered, &model_, &ViewerModel::redo);
  bar->addAction(undo);
  bar->addAction(redo);
  auto refreshUndo = [this, undo, redo] {
    const auto& s = model_.session();
    undo->setEnabled(s.canUndo());
    redo->setEnabled(s.canRedo());
    undo->setText(s.canUndo() ? "Undo " + QString::fromStdString(s.undoText()) : "Undo");
    redo->setText(s.canRedo() ? "Redo " + QString::fromStdString(s.redoText()) : "Redo");
  };
  connect(&model_, &ViewerModel::undoStateChanged, this, refreshUndo);
  refreshUndo();
  bar->addSeparator();

  // Tools: one active at a time; B, E, F, C as in common annotation tools; G grows a region.
  auto* tools = new QActionGroup(this);
  const std::pair<Tool, std::pair<const char*, const char*>> toolList[] = {
      {Tool::Crosshair, {"Crosshair", "C"}}, {Tool::Brush, {"Brush", "B"}}, {Tool::Eraser, {"Eraser", "E"}}, {Tool::Fill, {"Fill", "F"}},
      {Tool::Grow, {"Grow", "G"}}};
  QMenu* toolMenu = menuBar()->addMenu("&Tools");
  for (const auto& [tool, names] : toolList) {
    QAction* a = tools->addAction(names.first);
    a->setCheckable(true);
    a->setShortcut(QKeySequence(names.second));
    a->setChecked(tool == model_.tool());
    a->setObjectName(QString("tool-") + names.first);
    connect(a, &QAction::triggered, this, [this, tool = tool] { model_.setTool(tool); });
    bar->addAction(a);
    toolMenu->addAction(a);
  }
  brushSize_ = new QDoubleSpinBox(this);
  brushSize_->setObjectName("brush-size");
  brushSize_->setRange(0.5, 200);
  brushSize_->setSingleStep(0.5);
  brushSize_->setToolTip("Brush radius (Shift+wheel or +/- in a view)");
  brushUnit_ = new QComboBox(this);
  brushUnit_->addItems({"mm", "voxels"});
  bar->addWidget(new QLabel(" Radius ", this));
  bar->addWidget(brushSize_);
  bar->addWidget(brushUnit_);
  auto pushBrush = [this] { model_.setBrush({brushSize_->value(), brushUnit_->currentIndex() == 0}); };
  connect(brushSize_, &QDoubleSpinBox::valueChanged, this, pushBrush);
  connect(brushUnit_, &QComboBox::currentIndexChanged, this, pushBrush);
  connect(&model_, &ViewerModel::brushChanged, this, [this] {
    const QSignalBlocker a(brushSize_), b(brushUnit_);
    brushSize_->setValue(model_.brush().radius);
    brushUnit_->setCurrentIndex(model_.brush().radiusInMillimetres ? 0 : 1);
  });
  bar->addSeparator();

  presets_ = new QComboBox(this);
  presets_->setObjectName("window-presets");
  presets_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  presets_->setToolTip("Window/level presets (right-drag in a view to adjust)");
  bar->addWidget(new QLabel(" Window ", this));
  bar->addWidget(presets_);
  connect(presets_, &QComboBox::activated, this, &MainWindow::applyWindowPreset);
  connect(&model_, &ViewerModel::imageChanged, this, [this] {
    presets_->clear();
    for (const core::WindowPreset& p : model_.windowPresets())
      presets_->addItem(QString("%1 (%2/%3)").arg(QString::fromStdString(p.name)).arg(p.window.width, 0, 'g', 4).arg(p.window.level, 0, 'g', 4));
    showWindowInPresets();
  });
  connect(&model_, &ViewerModel::windowChanged, this, &MainWindow::showWindowInPresets);

  QMenu* view = menuBar()->addMenu("&View");
  QAction* labels = view->addAction("Show labels");
  labels->setCheckable(true);
  labels->setChecked(true);
  connect(labels, &QAction::toggled, this, [this](bool on) {
    OverlayOptions o = model_.overlays();
    o.showLabels = on;
    model_.setOverlays(o);
  });
  QAction* proposal = view->addAction("Show segmentation result");
  proposal->setCheckable(true);
  proposal->setChecked(true);
  connect(proposal, &QAction::toggled, this, [this](bool on) {
    OverlayOptions o = model_.overlays();
    o.showProposal = on;
    model_.setOverlays(o);
  });
  QAction* reset = view->addAction("Reset views");
  connect(reset, &QAction::triggered, this, [this] {
    for (SliceView* v : views_) v->resetView();
    surfaceView_->resetCamera();
  });
  buildHelpMenu();
  rebuildRecentMenu();
}

void MainWindow::buildHelpMenu() {
  QMenu* help = menuBar()->addMenu("&Help");
  QAction* shortcuts = help->addAction("&Keyboard shortcuts");
  shortcuts->setShortcut(QKeySequence::HelpContents);
  connect(shortcuts, &QAction::triggered, this, [this] { showHelpDialog(this, HelpDialog::Shortcuts, options_, allActions()); });
  QAction* about = help->addAction("&About ProtoLabel");
  connect(about, &QAction::triggered, this, [this] { showHelpDialog(this, HelpDialog::About, options_, {}); });
}

QList<QAction*> MainWindow::allActions() const {
  // Every action of every menu, submenus included (the tools are shared with the toolbar).
  QList<QAction*> all;
  std::function<void(const QList<QAction*>&)> collect = [&](const QList<QAction*>& list) {
    for (QAction* a : list) {
      if (a->menu()) collect(a->menu()->actions());
      else if (!a->isSeparator() && !all.contains(a)) all << a;
    }
  };
  collect(menuBar()->actions());
  return all;
}

bool MainWindow::showingStartPage() const { return pages_->currentWidget() == startPage_; }

void MainWindow::openSample() {
  if (!QFileInfo(options_.sampleImage).isFile()) return showMessage("The bundled sample is not installed");
  openImage(options_.sampleImage, options_.sampleExamples);
  pendingLabelsAreExamples_ = !options_.sampleExamples.isEmpty();
}

void MainWindow::applyWindowPreset(int index) {
  const auto& presets = model_.windowPresets();
  if (index >= 0 && index < int(presets.size())) model_.setWindow(presets[std::size_t(index)].window);
}

void MainWindow::showWindowInPresets() {
  const auto& presets = model_.windowPresets();
  const core::Window& w = model_.window();
  const QSignalBlocker block(presets_);
  // The "Custom" entry, when there, follows the presets.
  if (presets_->count() > int(presets.size())) presets_->removeItem(int(presets.size()));
  for (std::size_t i = 0; i < presets.size(); ++i)
    if (std::abs(presets[i].window.width - w.width) < 1e-6 && std::abs(presets[i].window.level - w.level) < 1e-6)
      return presets_->setCurrentIndex(int(i));
  presets_->addItem(QString("Custom (%1/%2)").arg(w.width, 0, 'f', 0).arg(w.level, 0, 'f', 0));
  presets_->setCurrentIndex(presets_->count() - 1);
}

void MainWindow::restoreSettings() {
  QSettings s;
  restoreGeometry(s.value("window/geometry").toByteArray());
  restoreState(s.value("window/state").toByteArray());
  model_.setBrush({s.value("brush/radius", 3.0).toDouble(), s.value("brush/millimetres", true).toBool()});
  QString modelFile = s.value("segmentation/model").toString();
  if (modelFile.isEmpty() || !QFileInfo(modelFile).isFile()) modelFile = options_.defaultModel;
  segmentPanel_->setDevice(s.value("segmentation/device", "auto").toString());
  segmentPanel_->setModelFile(modelFile);
  finetunePanel_->setBaseModel(modelFile);
  finetunePanel_->runner()->setProtectedModels({options_.defaultModel});
}

void MainWindow::saveSettings() const {
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  s.setValue("brush/radius", model_.brush().radius);
  s.setValue("brush/millimetres", model_.brush().radiusInMillimetres);
  s.setValue("segmentation/model", runner_->modelPath());
  s.setValue("segmentation/device", QString(inference::deviceName(runner_->device())));
}

void MainWindow::showMessage(const QString& text, int timeoutMs) {
  lastMessage_ = text;
  statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::showFailure(const QString& message) {
  showMessage(message, 0);
  if (options_.askQuestions)
    QMessageBox::warning(this, "ProtoLabel", message + "\n\nYour labels were not changed by the failed step.");
}

void MainWindow::updateTitle() {
  QString title = "ProtoLabel";
  if (model_.hasImage()) title = QFileInfo(QString::fromStdString(model_.session().sourcePath())).fileName() + "[*] — " + title;
  setWindowTitle(title);
  setWindowModified(model_.session().modified());
}

// ---- files -------------------------------------------------------------------------------------

void MainWindow::chooseImage() {
  QSettings s;
  const QString path = QFileDialog::getOpenFileName(this, "Open image", s.value("folders/images").toString(), kImageFilter);
  if (path.isEmpty()) return;
  s.setValue("folders/images", QFileInfo(path).path());
  openImage(path);
}

void MainWindow::chooseDicomFolder() {
  QSettings s;
  const QString path = QFileDialog::getExistingDirectory(this, "Open DICOM folder", s.value("folders/dicom").toString());
  if (path.isEmpty()) return;
  s.setValue("folders/dicom", path);
  openImage(path);
}

void MainWindow::openImage(const QString& path, const QString& labelsPath, bool labelsRecovered) {
  if (runner_->running()) return showMessage("Wait for the segmentation to finish (or cancel it) before opening another image");
  if (!maybeKeepUnsavedLabels()) return;
  pendingLabels_ = labelsPath;
  pendingWorkspace_.reset();
  pendingWorkspacePath_.clear();
  pendingLabelsAreExamples_ = false;
  pendingLabelsRecovered_ = labelsRecovered;
  if (!loader_->load(path)) return showMessage("Another image is still loading");
  QApplication::setOverrideCursor(Qt::BusyCursor);
  loadProgress_->setVisible(true);
  showMessage("Loading " + path + "…", 0);
}

void MainWindow::onImageLoaded(std::shared_ptr<core::LoadedImage> image) {
  QApplication::restoreOverrideCursor();
  loadProgress_->setVisible(false);
  const QString path = QString::fromStdString(image->sourcePath);
  std::optional<core::Window> dicomWindow;
  if (image->dicomWindowWidth > 0) dicomWindow = core::Window{image->dicomWindowWidth, image->dicomWindowCenter};
  const std::string modality =
      image->seriesIndex >= 0 ? image->series[std::size_t(image->seriesIndex)].modality : std::string();
  model_.setImage(std::move(image->volume), image->sourcePath, dicomWindow, modality);
  labelsPath_.clear();
  autosaveCurrent_ = true;
  addRecentFile(path);
  QString message = "Opened " + path;
  for (const std::string& w : image->warnings) message += " — " + QString::fromStdString(w);
  showMessage(message);
  workspacePath_.clear();
  if (!pendingLabels_.isEmpty()) openLabels(std::exchange(pendingLabels_, QString()));
  if (pendingWorkspace_) applyWorkspace(*std::exchange(pendingWorkspace_, std::nullopt));
  requestSurfaces();
  updateTitle();
  Q_EMIT imageLoaded();
}

void MainWindow::chooseLabels() {
  if (!model_.hasImage()) return showMessage("Open an image first");
  const QString path = QFileDialog::getOpenFileName(this, "Open labels", QFileInfo(QString::fromStdString(model_.session().sourcePath())).path(),
                                                    kOpenLabelFilter);
  if (!path.isEmpty()) openLabels(path);
}

bool MainWindow::openLabels(const QString& path) {
  try {
    model_.loadLabels(core::readLabelMapOnGrid(path.toStdString(), model_.session().image().geometry()));
    // Recovered labels stay unsaved work (and have no file of their own) until the user saves them.
    if (std::exchange(pendingLabelsRecovered_, false)) {
      autosaveCurrent_ = true;
    } else if (std::exchange(pendingLabelsAreExamples_, false)) {
      // Saved examples (the sample's): every labelled slice is an example, ready to segment. They
      // are not the user's file: saving asks where.
      model_.session().useLabelledSlicesAsExamples();
      model_.session().markSaved();
      model_.notifySupportsChanged();
      tabs_->setCurrentWidget(segmentPanel_);
      updateTitle();
      showMessage("The sample's examples are loaded: press \"Segment all labels\" in the Segment tab.", 0);
      return true;
    } else {
      labelsPath_ = path;
      model_.session().markSaved();
    }
    updateTitle();
    showMessage("Loaded labels " + path);
    return true;
  } catch (const core::Error& e) {
    showMessage("Could not load " + path + ": " + e.what());
    if (options_.askQuestions) QMessageBox::warning(this, "Open labels", QString::fromStdString(e.what()));
    return false;
  }
}

bool MainWindow::saveLabelsTo(const QString& path) {
  try {
    core::WriteOptions options;
    options.protectedPaths = {model_.session().sourcePath()};
    core::writeLabelMap(model_.session().labels(), model_.session().image().geometry(), path.toStdString(), options);
    labelsPath_ = path;
    model_.session().markSaved();
    dropAutosave(model_.session().sourcePath());
    autosaveCurrent_ = true;
    updateTitle();
    showMessage("Saved " + path);
    return true;
  } catch (const core::Error& e) {
    showMessage("Could not save: " + QString::fromStdString(e.what()));
    if (options_.askQuestions) QMessageBox::warning(this, "Save labels", QString::fromStdString(e.what()));
    return false;
  }
}

void MainWindow::saveLabels() {
  if (!model_.hasImage()) return;
  if (!workspacePath_.isEmpty()) {
    saveWorkspaceTo(workspacePath_);
    return;
  }
  if (labelsPath_.isEmpty()) return saveLabelsAs();
  saveLabelsTo(labelsPath_);
}

void MainWindow::saveLabelsAs() {
  if (!model_.hasImage()) return;
  const QString source = QString::fromStdString(model_.session().sourcePath());
  const QString suggestion = QFileInfo(source).path() + "/" + stemOf(source) + "_labels.nii.gz";
  const QString path = QFileDialog::getSaveFileName(this, "Save labels", suggestion, kLabelFilter);
  if (!path.isEmpty()) saveLabelsTo(path);
}

void MainWindow::exportLabels() {
  if (!model_.hasImage()) return;
  const QString source = QString::fromStdString(model_.session().sourcePath());
  QSettings s;
  ExportDialog dialog(s.value("folders/export", QFileInfo(source).path()).toString(), stemOf(source) + "_labels", this);
  if (core::isDicomPath(source.toStdString())) dialog.setDicomSource(source);
  if (dialog.exec() != QDialog::Accepted) return;
  const QStringList written = exportTo(dialog.request());
  if (written.isEmpty() || !options_.askQuestions) return;
  QMessageBox box(QMessageBox::Information, "Export", QString("Wrote %1 file(s) to %2").arg(written.size()).arg(QFileInfo(written.front()).path()),
                  QMessageBox::Ok, this);
  box.setInformativeText(fileNames(written).join("\n"));
  box.exec();
}

QStringList MainWindow::exportTo(core::ExportRequest request) {
  if (!model_.hasImage()) return {};
  request.protectedPaths = {model_.session().sourcePath()};
  QSettings().setValue("folders/export", QString::fromStdString(request.folder));  // the next export starts there
  try {
    QStringList written;
    for (const std::string& path : core::exportLabels(model_.session().labels(), model_.session().image().geometry(), request))
      written << QString::fromStdString(path);
    showMessage(QString("Exported to %1: %2").arg(QString::fromStdString(request.folder), fileNames(written).join(", ")), 0);
    return written;
  } catch (const core::Error& e) {
    showFailure("Export failed: " + QString::fromStdString(e.what()));
    return {};
  }
}

void MainWindow::addRecentFile(const QString& path) {
  QSettings s;
  QStringList recent = s.value("recentFiles").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecentFiles) recent.removeLast();
  s.setValue("recentFiles", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  startPage_->setRecentFiles(QSettings().value("recentFiles").toStringList());
  startPage_->setRecentWorkspaces(QSettings().value("recentWorkspaces").toStringList());
  for (const QString& path : QSettings().value("recentFiles").toStringList())
    connect(recentMenu_->addAction(path), &QAction::triggered, this, [this, path] { openImage(path); });
  recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (urls.isEmpty()) return;
  // Two files: an image and its labels; one file or folder: an image.
  openImage(urls[0].toLocalFile(), urls.size() > 1 ? urls[1].toLocalFile() : QString());
  e->acceptProposedAction();
}

// ---- autosave, recovery, quitting ----------------------------------------------------------------

void MainWindow::autosaveNow(bool wait) {
  if (!model_.hasImage() || autosaveCurrent_ || !model_.session().modified()) return;
  if (autosave_.running()) return;  // one at a time; the next tick catches up
  // A snapshot is written on a worker thread so the GUI never waits on compression and disk.
  auto snapshot = std::make_shared<core::LabelMap>(model_.session().labels());
  const std::string source = model_.session().sourcePath();
  core::RecoveryStore store = recovery_;
  autosave_.start([store, snapshot, source]() mutable {
    try {
      store.save(*snapshot, source);
      return QString();
    } catch (const std::exception& e) {
      return QString::fromStdString(e.what());
    }
  });
  autosaveCurrent_ = true;
  if (wait) autosave_.finish();
}

void MainWindow::onAutosaveFinished(const QString& error) {
  if (error.isEmpty()) return;
  autosaveCurrent_ = false;  // try again at the next tick
  showMessage("Autosave failed: " + error + " (your labels are still open; save them)", 0);
  Q_EMIT autosaveFailed(error);
}

void MainWindow::dropAutosave(const std::string& sourcePath) {
  // An autosave still being written would bring the entry back after the user saved or discarded.
  autosave_.wait();
  recovery_.remove(sourcePath);
}

bool MainWindow::offerRecovery() {
  const auto entries = recovery_.entries();
  if (entries.empty()) return false;
  const core::RecoveryEntry& entry = entries.front();
  if (options_.askQuestions) {
    const QString when = QDateTime::fromSecsSinceEpoch(entry.savedAtSeconds).toString("yyyy-MM-dd hh:mm");
    const auto answer = QMessageBox::question(
        this, "Recover unsaved labels",
        QString("ProtoLabel did not close normally. Unsaved labels of %1 (autosaved %2) can be recovered.\n\nRecover them?")
            .arg(QString::fromStdString(entry.sourcePath), when),
        QMessageBox::Yes | QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      dropAutosave(entry.sourcePath);
      return false;
    }
  }
  return recover(entry);
}

bool MainWindow::recover(const core::RecoveryEntry& entry) {
  if (!QFileInfo::exists(QString::fromStdString(entry.sourcePath))) {
    showMessage("The image of the autosaved labels is gone: " + QString::fromStdString(entry.sourcePath));
    return false;
  }
  openImage(QString::fromStdString(entry.sourcePath), QString::fromStdString(entry.labelPath), /*labelsRecovered=*/true);
  return true;
}

bool MainWindow::maybeKeepUnsavedLabels() {
  if (!model_.hasImage() || !model_.session().modified() || !options_.askQuestions) return true;
  const auto answer = QMessageBox::question(this, "Unsaved labels", "The labels have unsaved changes. Save them?",
                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) {
    saveLabels();
    return !model_.session().modified();
  }
  dropAutosave(model_.session().sourcePath());
  return true;
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (!maybeKeepUnsavedLabels()) return e->ignore();
  // A fine-tune in progress is the user's time too: ask before throwing it away.
  FinetuneRunner* training = finetunePanel_->runner();
  if (training->running()) {
    if (options_.askQuestions &&
        QMessageBox::question(this, "Fine-tuning is running",
                              "A fine-tune is still running; quitting stops it and discards the model it is training. "
                              "Quit anyway?",
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes)
      return e->ignore();
    training->cancel();
    training->wait();
  }
  runner_->cancel();
  saveSettings();
  e->accept();
}

void MainWindow::requestSurfaces() {
  if (!model_.hasImage()) return;
  std::vector<uint16_t> values;
  for (const core::LabelEntry& e : model_.session().table().entries()) values.push_back(e.value);
  surfaceUpdater_->request(model_.session().labels(), values);
}

}  // namespace protolabel::ui
