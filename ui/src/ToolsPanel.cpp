#include "protolabel/ui/ToolsPanel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>

#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {

QSlider* percentSlider(QWidget* parent, double fraction, const char* name) {
  auto* slider = new QSlider(Qt::Horizontal, parent);
  slider->setObjectName(name);
  slider->setRange(0, 100);
  slider->setValue(int(fraction * 100 + 0.5));
  return slider;
}

QDoubleSpinBox* intensityBox(QWidget* parent, const char* name) {
  auto* box = new QDoubleSpinBox(parent);
  box->setObjectName(name);
  box->setRange(-1e6, 1e6);
  box->setDecimals(1);
  return box;
}

}  // namespace

ToolsPanel::ToolsPanel(ViewerModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);

  auto* display = new QGroupBox("Display", this);
  auto* displayForm = new QFormLayout(display);
  labelOpacity_ = percentSlider(display, model_->overlays().labelOpacity, "label-opacity");
  labelOpacity_->setToolTip("Fill opacity of all labels (each label's own opacity in the Labels tab multiplies it)");
  proposalOpacity_ = percentSlider(display, model_->overlays().proposalOpacity, "proposal-opacity");
  displayForm->addRow("Label opacity", labelOpacity_);
  displayForm->addRow("Proposal opacity", proposalOpacity_);
  layout->addWidget(display);

  auto* thresholdBox = new QGroupBox("Threshold brush", this);
  auto* thresholdForm = new QFormLayout(thresholdBox);
  threshold_ = new QCheckBox("Paint only intensities in the range", thresholdBox);
  threshold_->setObjectName("threshold-brush");
  threshold_->setToolTip("The brush skips voxels outside the range (erasing is not limited)");
  low_ = intensityBox(thresholdBox, "threshold-low");
  high_ = intensityBox(thresholdBox, "threshold-high");
  thresholdForm->addRow(threshold_);
  thresholdForm->addRow("From", low_);
  thresholdForm->addRow("To", high_);
  layout->addWidget(thresholdBox);

  auto* fillBox = new QGroupBox("Fill between slices", this);
  auto* fillLayout = new QVBoxLayout(fillBox);
  auto* fillHelp = new QLabel("Label a structure on a few axial slices, then fill the slices between them "
                              "(shape-based interpolation). The result is a proposal to accept.",
                              fillBox);
  fillHelp->setWordWrap(true);
  interpolate_ = new QPushButton("Interpolate the active label", fillBox);
  interpolate_->setObjectName("interpolate");
  fillLayout->addWidget(fillHelp);
  fillLayout->addWidget(interpolate_);
  layout->addWidget(fillBox);

  auto* growBox = new QGroupBox("Region growing", this);
  auto* growForm = new QFormLayout(growBox);
  auto* growHelp = new QLabel("Pick the Grow tool (G) and click inside a structure: the active label grows through "
                              "similar intensities in 3D, as a proposal.",
                              growBox);
  growHelp->setWordWrap(true);
  tolerance_ = new QDoubleSpinBox(growBox);
  tolerance_->setObjectName("grow-tolerance");
  tolerance_->setRange(0.5, 6);
  tolerance_->setSingleStep(0.25);
  tolerance_->setValue(core::RegionGrowOptions{}.multiplier);
  tolerance_->setSuffix(" × std");
  tolerance_->setToolTip("The intensity range: mean ± this many standard deviations of the clicked neighbourhood");
  growInRange_ = new QCheckBox("Use the threshold brush's range instead", growBox);
  growPainted_ = new QPushButton("Grow from what is painted on this slice", growBox);
  growPainted_->setObjectName("grow-from-painted");
  growPainted_->setToolTip("Seeds: the active label's voxels on the current axial slice (brush a few first)");
  growForm->addRow(growHelp);
  growForm->addRow("Tolerance", tolerance_);
  growForm->addRow(growInRange_);
  growForm->addRow(growPainted_);
  layout->addWidget(growBox);

  status_ = new QLabel(this);
  status_->setObjectName("tools-status");
  status_->setWordWrap(true);
  layout->addWidget(status_);
  layout->addStretch();

  connect(labelOpacity_, &QSlider::valueChanged, this, [this](int value) {
    OverlayOptions o = model_->overlays();
    o.labelOpacity = value / 100.0;
    model_->setOverlays(o);
  });
  connect(proposalOpacity_, &QSlider::valueChanged, this, [this](int value) {
    OverlayOptions o = model_->overlays();
    o.proposalOpacity = value / 100.0;
    model_->setOverlays(o);
  });
  connect(threshold_, &QCheckBox::toggled, this, &ToolsPanel::pushPaintRange);
  connect(low_, &QDoubleSpinBox::valueChanged, this, &ToolsPanel::pushPaintRange);
  connect(high_, &QDoubleSpinBox::valueChanged, this, &ToolsPanel::pushPaintRange);
  connect(interpolate_, &QPushButton::clicked, this, &ToolsPanel::interpolate);
  connect(growPainted_, &QPushButton::clicked, this, &ToolsPanel::growFromPainted);
  connect(model_, &ViewerModel::imageChanged, this, [this] {
    // A new image starts with the range of its current window, and the brush unrestricted.
    const QSignalBlocker a(low_), b(high_), c(threshold_);
    low_->setValue(model_->window().low());
    high_->setValue(model_->window().high());
    threshold_->setChecked(false);
    pushPaintRange();
    status_->clear();
  });
}

QString ToolsPanel::statusText() const { return status_->text(); }

QString ToolsPanel::activeLabelName() const {
  const auto* e = model_->session().table().find(model_->activeLabel());
  return e ? QString::fromStdString(e->name) : QString("label %1").arg(model_->activeLabel());
}

std::pair<double, double> ToolsPanel::thresholdRange() const {
  const double a = low_->value(), b = high_->value();
  return {std::min(a, b), std::max(a, b)};
}

void ToolsPanel::pushPaintRange() {
  model_->setPaintRange(threshold_->isChecked() ? std::optional(thresholdRange()) : std::nullopt);
}

void ToolsPanel::interpolate() {
  if (!model_->hasImage()) return;
  const int64_t filled = model_->interpolateActiveLabel();
  if (filled == 0) {
    status_->setText(QString("Nothing to fill: label %1 on at least two axial slices with unlabelled slices between them.")
                         .arg(activeLabelName()));
    return;
  }
  status_->setText(QString("Filled %1 slices of %2 between its labelled ones: review and accept it in the Segment tab.")
                       .arg(filled)
                       .arg(activeLabelName()));
  Q_EMIT proposalMade();
}

core::RegionGrowOptions ToolsPanel::growOptions() const {
  core::RegionGrowOptions options;
  options.multiplier = tolerance_->value();
  if (growInRange_->isChecked()) options.range = thresholdRange();
  return options;
}

void ToolsPanel::growFrom(const std::array<int64_t, 3>& voxel) {
  if (!model_->hasImage()) return;
  reportGrowth(model_->growRegionFrom(voxel, growOptions()), "the click");
}

void ToolsPanel::growFromPainted() {
  if (!model_->hasImage()) return;
  reportGrowth(model_->growRegionFromPainted(growOptions()), "what is painted on this slice");
}

void ToolsPanel::reportGrowth(int64_t voxels, const QString& from) {
  if (voxels == 0) {
    status_->setText("Nothing grew: no seed (paint the active label on this slice, or click with the Grow tool) "
                     "lies inside the intensity range.");
    return;
  }
  const core::Vec3& s = model_->session().image().geometry().spacing;
  status_->setText(QString("Grew %1 from %2: %3 voxels (%4 mL). Review and accept it in the Segment tab.")
                       .arg(activeLabelName(), from)
                       .arg(voxels)
                       .arg(double(voxels) * s[0] * s[1] * s[2] / 1000.0, 0, 'f', 1));
  Q_EMIT proposalMade();
}

}  // namespace protolabel::ui
