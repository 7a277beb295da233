#include "protolabel/ui/FinetunePanel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <algorithm>
#include <initializer_list>

#include "protolabel/inference/Runtime.h"
#include "protolabel/ui/FinetuneRunner.h"
#include "protolabel/ui/LossPlot.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {

constexpr int kImageRole = Qt::UserRole;
constexpr int kLabelsRole = Qt::UserRole + 1;
constexpr int kProgressSteps = 1000;

QString formatDuration(double seconds) {
  const qint64 s = qint64(std::max(0.0, seconds) + 0.5);
  if (s >= 3600) return QString("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
  return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString imageFilter() {
  return QObject::tr("Images (*.nii *.nii.gz *.nrrd *.seg.nrrd *.mha *.mhd *.dcm);;All files (*)");
}

}  // namespace

FinetunePanel::FinetunePanel(ViewerModel* viewer, QWidget* parent)
    : QWidget(parent), viewer_(viewer), runner_(new FinetuneRunner(this)) {
  setObjectName("finetunePanel");

  // Training data: the open volume (copied at Start) and labelled volumes from files.
  auto* dataBox = new QGroupBox(tr("Training data"), this);
  volumes_ = new QListWidget(dataBox);
  volumes_->setObjectName("trainingData");
  volumes_->setMaximumHeight(7 * volumes_->fontMetrics().height());  // the loss plot gets the space
  currentVolume_ = new QListWidgetItem(tr("Current volume with its labels"), volumes_);
  currentVolume_->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  currentVolume_->setCheckState(Qt::Checked);
  currentVolume_->setToolTip(tr("The open image with the labels painted or accepted so far"));
  addVolume_ = new QPushButton(tr("Add labelled volume…"), dataBox);
  addVolume_->setObjectName("addLabelledVolume");
  removeVolume_ = new QPushButton(tr("Remove"), dataBox);
  removeVolume_->setObjectName("removeVolume");
  auto* dataButtons = new QHBoxLayout;
  dataButtons->addWidget(addVolume_);
  dataButtons->addWidget(removeVolume_);
  dataButtons->addStretch();
  auto* dataLayout = new QVBoxLayout(dataBox);
  dataLayout->addWidget(volumes_);
  dataLayout->addLayout(dataButtons);

  // Budget and device: training stops at whichever limit comes first.
  auto* budgetBox = new QGroupBox(tr("Budget"), this);
  iterations_ = new QSpinBox(budgetBox);
  iterations_->setObjectName("iterations");
  iterations_->setRange(0, 10'000'000);
  iterations_->setSingleStep(100);
  iterations_->setSpecialValueText(tr("unlimited"));
  iterations_->setValue(1000);
  minutes_ = new QSpinBox(budgetBox);
  minutes_->setObjectName("minutes");
  minutes_->setRange(0, 100'000);
  minutes_->setSuffix(tr(" min"));
  minutes_->setSpecialValueText(tr("unlimited"));
  minutes_->setValue(60);
  device_ = new QComboBox(budgetBox);
  device_->setObjectName("device");
  device_->addItem(tr("Automatic"), int(inference::Device::Auto));
  device_->addItem(tr("CPU"), int(inference::Device::Cpu));
  device_->addItem(tr("CUDA"), int(inference::Device::Cuda));
  if (!inference::queryRuntime().cudaAvailable) {
    if (auto* items = qobject_cast<QStandardItemModel*>(device_->model())) items->item(2)->setEnabled(false);
    device_->setItemData(2, tr("No CUDA device is available to this build"), Qt::ToolTipRole);
  }
  auto* budget = new QFormLayout(budgetBox);
  budget->addRow(tr("Iterations:"), iterations_);
  budget->addRow(tr("Time:"), minutes_);
  budget->addRow(tr("Device:"), device_);

  // Models: where training starts and where its result goes (never over the starting model).
  auto* modelBox = new QGroupBox(tr("Model"), this);
  baseLabel_ = new QLabel(modelBox);
  baseLabel_->setObjectName("baseModel");
  output_ = new QLineEdit(modelBox);
  output_->setObjectName("outputPath");
  chooseOutput_ = new QPushButton(tr("Choose…"), modelBox);
  chooseOutput_->setObjectName("chooseOutput");
  auto* outputRow = new QHBoxLayout;
  outputRow->addWidget(output_, 1);
  outputRow->addWidget(chooseOutput_);
  auto* models = new QFormLayout(modelBox);
  models->addRow(tr("Start from:"), baseLabel_);
  models->addRow(tr("Save as:"), outputRow);

  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName("startFinetune");
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("cancelFinetune");
  auto* runButtons = new QHBoxLayout;
  runButtons->addWidget(start_);
  runButtons->addWidget(cancel_);
  runButtons->addStretch();
  progress_ = new QProgressBar(this);
  progress_->setObjectName("finetuneProgress");
  progress_->setRange(0, kProgressSteps);
  progress_->setValue(0);
  progress_->setFormat(tr("Not started"));
  status_ = new QLabel(this);
  status_->setObjectName("finetuneStatus");
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  plot_ = new LossPlot(this);
  useModel_ = new QPushButton(tr("Use this model"), this);
  useModel_->setObjectName("useFinetunedModel");
  useModel_->setToolTip(tr("Segment with the model just trained"));
  useModel_->setVisible(false);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(dataBox);
  layout->addWidget(budgetBox);
  layout->addWidget(modelBox);
  layout->addLayout(runButtons);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(plot_, 1);
  layout->addWidget(useModel_, 0, Qt::AlignLeft);

  connect(addVolume_, &QPushButton::clicked, this, &FinetunePanel::addLabelledVolume);
  connect(removeVolume_, &QPushButton::clicked, this, &FinetunePanel::removeSelectedVolume);
  connect(volumes_, &QListWidget::currentRowChanged, this, &FinetunePanel::updateRemoveButton);
  connect(chooseOutput_, &QPushButton::clicked, this, &FinetunePanel::chooseOutput);
  connect(start_, &QPushButton::clicked, this, &FinetunePanel::startTraining);
  connect(cancel_, &QPushButton::clicked, this, [this] {
    runner_->cancel();
    cancel_->setEnabled(false);
    status_->setText(tr("Cancelling after the current iteration…"));
  });
  connect(useModel_, &QPushButton::clicked, this, [this] { Q_EMIT useModel(trainedModel_); });
  connect(runner_, &FinetuneRunner::progress, this, &FinetunePanel::onProgress);
  connect(runner_, &FinetuneRunner::finished, this, &FinetunePanel::onFinished);
  connect(runner_, &FinetuneRunner::failed, this, &FinetunePanel::onEnded);
  connect(runner_, &FinetuneRunner::cancelled, this, [this] { onEnded(tr("Cancelled: no model was written.")); });
  if (viewer_) connect(viewer_, &ViewerModel::imageChanged, this, &FinetunePanel::updateCurrentVolumeItem);

  setBaseModel({});
  setOutputPath(defaultOutputPath());
  lastDefaultOutput_ = output_->text();
  updateCurrentVolumeItem();
  updateRemoveButton();
  setRunning(false);
}

void FinetunePanel::setBaseModel(const QString& path) {
  baseModel_ = path;
  baseLabel_->setText(path.isEmpty() ? tr("(no model selected)") : QFileInfo(path).fileName());
  baseLabel_->setToolTip(path);
}

void FinetunePanel::setProtectedModels(const QStringList& paths) { runner_->setProtectedModels(paths); }
void FinetunePanel::setIterations(int iterations) { iterations_->setValue(iterations); }
void FinetunePanel::setMinutes(int minutes) { minutes_->setValue(minutes); }
void FinetunePanel::setOutputPath(const QString& path) { output_->setText(path); }
QString FinetunePanel::outputPath() const { return output_->text().trimmed(); }
void FinetunePanel::setUseCurrentVolume(bool use) { currentVolume_->setCheckState(use ? Qt::Checked : Qt::Unchecked); }
QString FinetunePanel::statusText() const { return status_->text(); }

inference::Device FinetunePanel::selectedDevice() const {
  return inference::Device(device_->currentData().toInt());
}

QString FinetunePanel::defaultOutputPath() {
  const QString stem = QDir::homePath() + "/ProtoLabel/models/finetuned-" +
                       QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  QString path = stem + ".pt";
  for (int n = 2; QFileInfo::exists(path); ++n) path = stem + '-' + QString::number(n) + ".pt";
  return path;
}

void FinetunePanel::addVolumeFiles(const QString& imagePath, const QString& labelsPath) {
  auto* item = new QListWidgetItem(
      tr("%1 + %2").arg(QFileInfo(imagePath).fileName(), QFileInfo(labelsPath).fileName()), volumes_);
  item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  item->setCheckState(Qt::Checked);
  item->setData(kImageRole, imagePath);
  item->setData(kLabelsRole, labelsPath);
  item->setToolTip(tr("Image: %1\nLabels: %2").arg(imagePath, labelsPath));
}

void FinetunePanel::addLabelledVolume() {
  const QString image = QFileDialog::getOpenFileName(this, tr("Image to train on"), {}, imageFilter());
  if (image.isEmpty()) return;
  const QString labels = QFileDialog::getOpenFileName(
      this, tr("Labels of %1").arg(QFileInfo(image).fileName()), QFileInfo(image).absolutePath(), imageFilter());
  if (labels.isEmpty()) return;
  addVolumeFiles(image, labels);
}

void FinetunePanel::removeSelectedVolume() {
  QListWidgetItem* item = volumes_->currentItem();
  if (item && item != currentVolume_) delete item;
  updateRemoveButton();
}

void FinetunePanel::chooseOutput() {
  const QString folder = QFileInfo(outputPath()).absolutePath();
  QDir().mkpath(folder);
  QString path = QFileDialog::getSaveFileName(this, tr("Save the fine-tuned model as"), outputPath(),
                                              tr("ProtoLabel models (*.pt)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".pt";
  setOutputPath(path);
}

void FinetunePanel::startTraining() {
  if (runner_->running()) return;
  std::vector<FinetuneVolume> volumes;
  if (currentVolume_->checkState() == Qt::Checked && (currentVolume_->flags() & Qt::ItemIsEnabled)) {
    const auto& session = viewer_->session();
    FinetuneVolume current = FinetuneVolume::inMemory(session.image(), session.labels(), tr("The current volume"));
    current.dicomModality = session.dicomModality();
    volumes.push_back(std::move(current));
  }
  for (int row = 0; row < volumes_->count(); ++row) {
    const QListWidgetItem* item = volumes_->item(row);
    if (item != currentVolume_ && item->checkState() == Qt::Checked)
      volumes.push_back(FinetuneVolume::fromFiles(item->data(kImageRole).toString(), item->data(kLabelsRole).toString()));
  }
  FinetuneOptions options;
  options.baseModel = baseModel_;
  options.output = outputPath();
  options.iterations = iterations_->value();
  options.minutes = minutes_->value();
  options.device = selectedDevice();

  plot_->clear();
  useModel_->setVisible(false);
  progress_->setValue(0);
  progress_->setFormat(tr("Preparing the training data…"));
  status_->clear();
  plannedIterations_ = iterations_->value();
  if (runner_->start(std::move(volumes), options)) setRunning(true);
}

void FinetunePanel::onProgress(const inference::TrainingProgress& p) {
  plot_->addPoint(int(p.iteration), p.lastLoss, p.loss);
  // The share of the run done, in time: exact for an iteration budget, also right for a time budget.
  const double elapsed = p.secondsPerIteration * double(p.iteration);
  const double done = elapsed + p.etaSeconds > 0 ? elapsed / (elapsed + p.etaSeconds) : 0;
  progress_->setValue(std::clamp(int(done * kProgressSteps), 0, kProgressSteps));
  const QString count = plannedIterations_ > 0 ? tr("Iteration %1 / %2").arg(p.iteration).arg(plannedIterations_)
                                               : tr("Iteration %1").arg(p.iteration);
  progress_->setFormat(tr("%1 · %2 left").arg(count, formatDuration(p.etaSeconds)));
}

void FinetunePanel::onFinished(const QString& output, const QString& summary) {
  trainedModel_ = output;
  setRunning(false);
  progress_->setValue(kProgressSteps);
  progress_->setFormat(tr("Done"));
  status_->setText(tr("Saved %1: %2.").arg(output, summary));
  useModel_->setVisible(true);
  // The next run must not overwrite this model: a fresh default name unless the user chose one.
  if (outputPath() == lastDefaultOutput_) {
    setOutputPath(defaultOutputPath());
    lastDefaultOutput_ = outputPath();
  }
  Q_EMIT modelTrained(output);
}

void FinetunePanel::onEnded(const QString& message) {
  setRunning(false);
  progress_->setFormat(tr("Stopped"));
  status_->setText(message);
}

void FinetunePanel::setRunning(bool running) {
  start_->setEnabled(!running);
  cancel_->setEnabled(running);
  for (QWidget* w : std::initializer_list<QWidget*>{volumes_, addVolume_, iterations_, minutes_, device_, output_,
                                                    chooseOutput_})
    w->setEnabled(!running);
  updateRemoveButton();
}

void FinetunePanel::updateCurrentVolumeItem() {
  const bool open = viewer_ && viewer_->hasImage();
  currentVolume_->setFlags(open ? currentVolume_->flags() | Qt::ItemIsEnabled : currentVolume_->flags() & ~Qt::ItemIsEnabled);
  currentVolume_->setText(open ? tr("Current volume with its labels") : tr("Current volume with its labels (none open)"));
}

void FinetunePanel::updateRemoveButton() {
  removeVolume_->setEnabled(!runner_->running() && volumes_->currentItem() && volumes_->currentItem() != currentVolume_);
}

}  // namespace protolabel::ui
