#include "protolabel/ui/SegmentPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/ui/LabelPickerDialog.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {

QString labelName(const ViewerModel& model, uint16_t value) {
  const auto* e = model.session().table().find(value);
  return e ? QString::fromStdString(e->name) : QString("Label %1").arg(value);
}

QString duration(double seconds) {
  const int s = int(seconds + 0.5);
  return s >= 60 ? QString("%1 min %2 s").arg(s / 60).arg(s % 60) : QString("%1 s").arg(s);
}

}  // namespace

SegmentPanel::SegmentPanel(ViewerModel* model, SegmentationRunner* runner, QWidget* parent)
    : QWidget(parent), model_(model), runner_(runner) {
  auto* layout = new QVBoxLayout(this);

  auto* supportBox = new QGroupBox("Examples (support slices)", this);
  auto* supportLayout = new QVBoxLayout(supportBox);
  supports_ = new QListWidget(supportBox);
  supports_->setObjectName("support-list");
  supports_->setToolTip("Axial slices you painted a label on. Double-click to go there.");
  removeSupport_ = new QPushButton("Remove example", supportBox);
  sourceLabel_ = new QLabel("Source: this volume", supportBox);
  sourceLabel_->setWordWrap(true);
  auto* otherVolume = new QPushButton("Use another labelled volume…", supportBox);
  auto* thisVolume = new QPushButton("Use this volume", supportBox);
  auto* sourceButtons = new QHBoxLayout;
  sourceButtons->addWidget(otherVolume);
  sourceButtons->addWidget(thisVolume);
  supportLayout->addWidget(supports_);
  supportLayout->addWidget(removeSupport_);
  supportLayout->addWidget(sourceLabel_);
  supportLayout->addLayout(sourceButtons);
  layout->addWidget(supportBox);

  auto* runBox = new QGroupBox("Segment", this);
  auto* runLayout = new QVBoxLayout(runBox);
  modelLabel_ = new QLabel(runBox);
  modelLabel_->setWordWrap(true);
  auto* chooseModel = new QPushButton("Model file…", runBox);
  device_ = new QComboBox(runBox);
  device_->setObjectName("device");
  device_->addItem("Automatic", "auto");
  device_->addItem("CPU", "cpu");
  device_->addItem("CUDA GPU", "cuda");
  if (!inference::queryRuntime().cudaAvailable) device_->setItemData(2, 0, Qt::UserRole - 1);  // disabled
  modality_ = new QComboBox(runBox);
  modality_->setObjectName("modality");
  modality_->addItem("Modality: automatic", "auto");
  modality_->addItem("CT", "ct");
  modality_->addItem("MR", "mr");
  modality_->setToolTip("Automatic reads the DICOM header, else the intensities (air near -1000 HU means CT).");
  connect(modality_, &QComboBox::currentIndexChanged, this, [this] {
    segmentation::PipelineOptions o = runner_->options();
    o.modality = segmentation::parseModality(modality_->currentData().toString().toStdString());
    runner_->setOptions(o);
  });
  auto* deviceRow = new QHBoxLayout;
  deviceRow->addWidget(chooseModel);
  deviceRow->addWidget(device_);
  deviceRow->addWidget(modality_);
  auto* connectedOnly = new QCheckBox("Keep only regions connected to the examples", runBox);
  connectedOnly->setChecked(runner_->keepConnected());
  connectedOnly->setToolTip("Drops look-alike islands away from the structure.");
  connect(connectedOnly, &QCheckBox::toggled, runner_, &SegmentationRunner::setKeepConnected);
  adapt_ = new QCheckBox(runBox);
  adapt_->setObjectName("adapt");
  adapt_->setChecked(runner_->options().adaptSeconds > 0);
  adapt_->setText(QString("Adapt the model to this scan first (%1 s)")
                      .arg(runner_->options().adaptSeconds > 0 ? runner_->options().adaptSeconds
                                                               : segmentation::kDefaultAdaptSeconds));
  adapt_->setToolTip("A short fine-tune on your examples before segmenting; the model file is not changed.");
  connect(adapt_, &QCheckBox::toggled, this, [this](bool on) {
    segmentation::PipelineOptions o = runner_->options();
    o.adaptSeconds = on ? segmentation::kDefaultAdaptSeconds : 0;
    runner_->setOptions(o);
  });
  // The user's own extent for the active label: nothing of it outside these axial slices.
  rangeOn_ = new QCheckBox("Only on axial slices", runBox);
  rangeOn_->setObjectName("slice-range");
  rangeOn_->setToolTip("Limits the active label's result to a range of axial slices (its examples always stay)");
  rangeFirst_ = new QSpinBox(runBox);
  rangeFirst_->setObjectName("slice-range-first");
  rangeLast_ = new QSpinBox(runBox);
  rangeLast_->setObjectName("slice-range-last");
  auto* fromHere = new QPushButton("From here", runBox);
  fromHere->setToolTip("The current axial slice becomes the range's first");
  auto* toHere = new QPushButton("To here", runBox);
  toHere->setToolTip("The current axial slice becomes the range's last");
  auto* rangeRow = new QHBoxLayout;
  rangeRow->addWidget(rangeOn_);
  rangeRow->addWidget(rangeFirst_);
  rangeRow->addWidget(new QLabel("to", runBox));
  rangeRow->addWidget(rangeLast_);
  rangeRow->addWidget(fromHere);
  rangeRow->addWidget(toHere);
  connect(rangeOn_, &QCheckBox::toggled, this, &SegmentPanel::pushSliceRange);
  connect(rangeFirst_, &QSpinBox::valueChanged, this, &SegmentPanel::pushSliceRange);
  connect(rangeLast_, &QSpinBox::valueChanged, this, &SegmentPanel::pushSliceRange);
  connect(fromHere, &QPushButton::clicked, this, [this] {
    rangeFirst_->setValue(int(model_->sliceIndex(core::Axis::Z)) + 1);
    rangeOn_->setChecked(true);
  });
  connect(toHere, &QPushButton::clicked, this, [this] {
    rangeLast_->setValue(int(model_->sliceIndex(core::Axis::Z)) + 1);
    rangeOn_->setChecked(true);
  });
  connect(model_, &ViewerModel::activeLabelChanged, this, &SegmentPanel::showSliceRange);
  connect(model_, &ViewerModel::imageChanged, this, [this] {
    segmentation::PipelineOptions o = runner_->options();
    o.sliceRanges.clear();  // ranges belong to the image they were set on
    runner_->setOptions(o);
    showSliceRange();
  });
  segment_ = new QPushButton("Segment all labels", runBox);
  segment_->setObjectName("segment");
  cancel_ = new QPushButton("Cancel", runBox);
  cancel_->setObjectName("cancel-segmentation");
  cancel_->setEnabled(false);
  progress_ = new QProgressBar(runBox);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_ = new QLabel(runBox);
  status_->setWordWrap(true);
  auto* runRow = new QHBoxLayout;
  runRow->addWidget(segment_);
  runRow->addWidget(cancel_);
  runLayout->addWidget(modelLabel_);
  runLayout->addLayout(deviceRow);
  runLayout->addWidget(connectedOnly);
  runLayout->addWidget(adapt_);
  runLayout->addLayout(rangeRow);
  runLayout->addLayout(runRow);
  runLayout->addWidget(progress_);
  runLayout->addWidget(status_);
  layout->addWidget(runBox);

  auto* resultBox = new QGroupBox("Result (not yet accepted)", this);
  auto* resultLayout = new QVBoxLayout(resultBox);
  proposals_ = new QListWidget(resultBox);
  proposals_->setObjectName("proposal-list");
  auto* accept = new QPushButton("Accept", resultBox);
  auto* discard = new QPushButton("Discard", resultBox);
  auto* acceptAllButton = new QPushButton("Accept all", resultBox);
  acceptAllButton->setObjectName("accept-all");
  auto* resultButtons = new QHBoxLayout;
  resultButtons->addWidget(accept);
  resultButtons->addWidget(discard);
  resultButtons->addWidget(acceptAllButton);
  confidence_ = new QCheckBox("Show confidence (magenta = unsure)", resultBox);
  auto* next = new QPushButton("Next uncertain slice", resultBox);
  next->setObjectName("next-uncertain");
  resultLayout->addWidget(proposals_);
  resultLayout->addLayout(resultButtons);
  resultLayout->addWidget(confidence_);
  resultLayout->addWidget(next);
  layout->addWidget(resultBox);
  layout->addStretch();

  connect(supports_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    model_->setSliceIndex(core::Axis::Z, item->data(Qt::UserRole + 1).toLongLong());
  });
  connect(removeSupport_, &QPushButton::clicked, this, [this] {
    QListWidgetItem* item = supports_->currentItem();
    if (!item) return;
    model_->session().removeSupport(uint16_t(item->data(Qt::UserRole).toUInt()), item->data(Qt::UserRole + 1).toLongLong());
    model_->notifySupportsChanged();
  });
  connect(otherVolume, &QPushButton::clicked, this, &SegmentPanel::chooseSupportVolume);
  connect(thisVolume, &QPushButton::clicked, this, &SegmentPanel::useThisVolume);
  connect(chooseModel, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, "Model file", QFileInfo(runner_->modelPath()).path(),
                                                      "ProtoLabel models (*.pt);;All files (*)");
    if (!path.isEmpty()) setModelFile(path);
  });
  connect(device_, &QComboBox::currentIndexChanged, this, [this] {
    runner_->setModel(runner_->modelPath(), selectedDevice());
    Q_EMIT deviceChanged(device_->currentData().toString());
  });
  connect(segment_, &QPushButton::clicked, this, &SegmentPanel::runSegmentation);
  connect(cancel_, &QPushButton::clicked, this, [this] {
    runner_->cancel();
    status_->setText("Cancelling…");
  });
  connect(accept, &QPushButton::clicked, this, [this] {
    if (QListWidgetItem* item = proposals_->currentItem()) model_->acceptProposal(uint16_t(item->data(Qt::UserRole).toUInt()));
  });
  connect(discard, &QPushButton::clicked, this, [this] {
    if (QListWidgetItem* item = proposals_->currentItem()) model_->discardProposal(uint16_t(item->data(Qt::UserRole).toUInt()));
  });
  connect(acceptAllButton, &QPushButton::clicked, this, &SegmentPanel::acceptAll);
  connect(confidence_, &QCheckBox::toggled, this, [this](bool on) {
    OverlayOptions o = model_->overlays();
    o.showConfidence = on;
    model_->setOverlays(o);
  });
  connect(next, &QPushButton::clicked, this, &SegmentPanel::nextUncertainSlice);

  connect(runner_, &SegmentationRunner::progress, this, [this](const QString& stage, double fraction, double eta) {
    progress_->setRange(0, 1000);
    progress_->setValue(int(fraction * 1000));
    const QString what = stage == "adapting" ? "Adapting the model to this scan" : "Segmenting";
    status_->setText(eta >= 0 ? QString("%1, about %2 left").arg(what, duration(eta)) : what + "…");
  });
  connect(runner_, &SegmentationRunner::finished, this,
          [this](const core::Proposal& proposal, double seconds, quint64 generation) {
    setRunning(false);
    if (generation != model_->session().imageGeneration()) {
      status_->setText("Another image was opened meanwhile; that result was dropped.");
      return;
    }
    model_->setProposal(proposal);
    status_->setText(QString("Segmented in %1. Review the dashed outlines, then accept or correct.").arg(duration(seconds)));
    Q_EMIT segmentationFinished();
  });
  connect(runner_, &SegmentationRunner::failed, this, [this](const QString& message) {
    setRunning(false);
    status_->setText("Segmentation failed: " + message);
  });
  connect(runner_, &SegmentationRunner::cancelled, this, [this] {
    setRunning(false);
    progress_->setValue(0);
    status_->setText("Cancelled; nothing was changed.");
  });
  connect(model_, &ViewerModel::supportsChanged, this, &SegmentPanel::rebuildSupports);
  connect(model_, &ViewerModel::tableChanged, this, &SegmentPanel::rebuildSupports);
  connect(model_, &ViewerModel::proposalChanged, this, &SegmentPanel::rebuildProposals);
  connect(model_, &ViewerModel::tableChanged, this, &SegmentPanel::rebuildProposals);
  connect(model_, &ViewerModel::imageChanged, this, [this] { status_->clear(); });
}

QString SegmentPanel::statusText() const { return status_->text(); }

void SegmentPanel::showSliceRange() {
  // Slices are numbered from 1 in the viewer, as in the examples list.
  const int slices = model_->hasImage() ? int(model_->session().image().size()[2]) : 1;
  const QSignalBlocker a(rangeOn_), b(rangeFirst_), c(rangeLast_);
  rangeFirst_->setRange(1, slices);
  rangeLast_->setRange(1, slices);
  const auto& ranges = runner_->options().sliceRanges;
  const auto range = ranges.find(model_->activeLabel());
  rangeOn_->setChecked(range != ranges.end());
  rangeFirst_->setValue(range != ranges.end() ? int(range->second.first) + 1 : 1);
  rangeLast_->setValue(range != ranges.end() ? int(range->second.second) + 1 : slices);
}

void SegmentPanel::pushSliceRange() {
  segmentation::PipelineOptions o = runner_->options();
  const int first = std::min(rangeFirst_->value(), rangeLast_->value()) - 1;
  const int last = std::max(rangeFirst_->value(), rangeLast_->value()) - 1;
  if (rangeOn_->isChecked())
    o.sliceRanges[model_->activeLabel()] = {first, last};
  else
    o.sliceRanges.erase(model_->activeLabel());
  runner_->setOptions(o);
}

inference::Device SegmentPanel::selectedDevice() const {
  return inference::parseDevice(device_->currentData().toString().toStdString());
}

void SegmentPanel::setModelFile(const QString& path) {
  runner_->setModel(path, selectedDevice());
  modelLabel_->setText("Model: " + (path.isEmpty() ? QString("none") : QFileInfo(path).fileName()));
  modelLabel_->setToolTip(path);
  Q_EMIT modelFileChanged(path);
}

void SegmentPanel::setDevice(const QString& name) {
  const int index = device_->findData(name);
  if (index >= 0 && (name != "cuda" || inference::queryRuntime().cudaAvailable)) device_->setCurrentIndex(index);
}

void SegmentPanel::rebuildSupports() {
  supports_->clear();
  for (const auto& [value, slices] : model_->session().supports())
    for (int64_t s : slices) {
      auto* item = new QListWidgetItem(QString("%1 — axial slice %2").arg(labelName(*model_, value)).arg(s + 1), supports_);
      item->setData(Qt::UserRole, value);
      item->setData(Qt::UserRole + 1, qlonglong(s));
    }
}

void SegmentPanel::rebuildProposals() {
  proposals_->clear();
  const auto& proposal = model_->session().proposal();
  if (!proposal) return;
  for (uint16_t value : proposal->pending) {
    auto* item = new QListWidgetItem(labelName(*model_, value), proposals_);
    item->setData(Qt::UserRole, value);
  }
}

void SegmentPanel::setRunning(bool running) {
  segment_->setEnabled(!running);
  cancel_->setEnabled(running);
}

void SegmentPanel::runSegmentation() {
  if (runner_->supportVolume()) {
    // Names and colours of the support volume's labels carry over to this volume.
    const core::LabelTable table = runner_->supportVolume()->labels.completeTable();
    for (const core::LabelEntry& e : table.entries())
      if (!model_->session().table().find(e.value)) model_->session().table().set(e);
    model_->notifyTableChanged();
  }
  QString error;
  if (!runner_->start(model_->session(), &error)) {
    status_->setText(error);
    return;
  }
  setRunning(true);
  progress_->setRange(0, 0);
  status_->setText("Loading the model…");
}

void SegmentPanel::acceptAll() {
  const auto& proposal = model_->session().proposal();
  if (!proposal) return;
  const std::set<uint16_t> pending = proposal->pending;
  for (uint16_t value : pending) model_->acceptProposal(value);
}

void SegmentPanel::nextUncertainSlice() {
  // Walks the slices from the least certain down; from anywhere else it starts at the least certain.
  const int64_t current = model_->sliceIndex(core::Axis::Z);
  const int64_t slice = model_->session().nextUncertainSlice(current == lastUncertainSlice_ ? current : -1);
  if (slice < 0) return;
  lastUncertainSlice_ = slice;
  model_->setSliceIndex(core::Axis::Z, slice);
}

void SegmentPanel::chooseSupportVolume() {
  const QString image = QFileDialog::getOpenFileName(this, "Labelled volume: image", {},
                                                     "Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)");
  if (image.isEmpty()) return;
  const QString labels = QFileDialog::getOpenFileName(this, "Labelled volume: its labels", QFileInfo(image).path(),
                                                      "Label maps (*.nii *.nii.gz *.nrrd *.seg.nrrd *.mha);;All files (*)");
  if (labels.isEmpty()) return;
  try {
    auto volume = std::make_shared<SupportVolume>();
    core::LoadedImage loaded = core::readImage(image.toStdString());
    if (loaded.seriesIndex >= 0) volume->dicomModality = loaded.series[std::size_t(loaded.seriesIndex)].modality;
    volume->image = std::make_shared<const core::Volume>(std::move(loaded.volume));
    core::LabelMap map = core::readLabelMap(labels.toStdString());
    if (!map.geometry().sameGrid(volume->image->geometry()))
      throw core::Error(core::ErrorCode::GridMismatch, "the labels are not on the grid of that image");
    volume->labels = core::LabelMap(map.voxels().convertedTo(core::PixelType::UInt16), map.table());
    volume->path = image.toStdString();
    // Label maps often hold dozens of structures: the user picks the ones to transfer by name.
    LabelPickerDialog picker(volume->labels.completeTable(), volume->labels.histogram(), "Labels to segment", this);
    if (picker.exec() != QDialog::Accepted) return;
    volume->use = picker.chosen();
    runner_->setSupportVolume(volume);
    sourceLabel_->setText("Source: " + QFileInfo(image).fileName() + " with its labels");
  } catch (const core::Error& e) {
    QMessageBox::warning(this, "Support volume", QString::fromStdString(e.what()));
  }
}

void SegmentPanel::useThisVolume() {
  runner_->setSupportVolume(nullptr);
  sourceLabel_->setText("Source: this volume");
}

}  // namespace protolabel::ui
