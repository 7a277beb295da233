#include "protolabel/ui/StatisticsPanel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <memory>

#include "protolabel/core/Error.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {

enum Column { Colour, Value, Name, Voxels, Volume, Mean, Std, Min, Max, Extent, Size, Columns };

// Short enough to coalesce a burst of edits (undo held down), long enough not to compute per click.
constexpr int kDebounceMs = 300;

QTableWidgetItem* cell(const QString& text, bool number) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  if (number) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString number(double x, int decimals) { return QString::number(x, 'f', decimals); }

}  // namespace

StatisticsPanel::StatisticsPanel(ViewerModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  table_ = new QTableWidget(0, Columns, this);
  table_->setObjectName("statistics-table");
  table_->setHorizontalHeaderLabels(
      {"", "Value", "Name", "Voxels", "Volume (mL)", "Mean", "Std", "Min", "Max", "Extent (voxels)", "Size (mm)"});
  table_->horizontalHeaderItem(Std)->setToolTip("Population standard deviation of the intensity");
  table_->horizontalHeaderItem(Extent)->setToolTip("Voxel-index bounding box: i, j and k ranges");
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setColumnWidth(Colour, 24);
  table_->setColumnWidth(Value, 48);
  summary_ = new QLabel(this);
  summary_->setObjectName("statistics-summary");
  copy_ = new QPushButton("Copy", this);
  copy_->setObjectName("statistics-copy");
  copy_->setToolTip("Copy the table to the clipboard as CSV");
  export_ = new QPushButton("Export CSV…", this);
  export_->setObjectName("statistics-export");
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(summary_, 1);
  buttons->addWidget(copy_);
  buttons->addWidget(export_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
  layout->addLayout(buttons);

  debounce_.setSingleShot(true);
  debounce_.setInterval(kDebounceMs);
  connect(&debounce_, &QTimer::timeout, this, &StatisticsPanel::startComputation);
  connect(copy_, &QPushButton::clicked, this, &StatisticsPanel::copyToClipboard);
  connect(export_, &QPushButton::clicked, this, &StatisticsPanel::chooseExportFile);
  for (auto signal : {&ViewerModel::editFinished, &ViewerModel::tableChanged, &ViewerModel::imageChanged})
    connect(model_, signal, this, &StatisticsPanel::labelsChanged);
  showStatistics({}, 0);
}

StatisticsPanel::~StatisticsPanel() { work_.wait(); }

void StatisticsPanel::labelsChanged() {
  ++revision_;
  summary_->setText("Updating…");
  // A hidden tab computes nothing: showEvent() catches up.
  if (isVisible()) debounce_.start();
}

void StatisticsPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  // Right away (not the debounce interval, which stays as it is): the user is looking now.
  if (!isCurrent() && !work_.running()) QTimer::singleShot(0, this, &StatisticsPanel::startComputation);
}

void StatisticsPanel::startComputation() {
  if (work_.running() || isCurrent()) return;  // onFinished() starts the next one
  if (!model_->hasImage()) return showStatistics({}, revision_);
  // The image is immutable and shared; the labels change under the user's brush, so the worker
  // gets its own copy, taken here on the GUI thread.
  std::shared_ptr<const core::Volume> image = model_->session().sharedImage();
  auto labels = std::make_shared<const core::LabelMap>(model_->session().labels());
  const uint64_t revision = revision_;
  work_.start([image, labels, revision]() {
    Result result;
    result.revision = revision;
    try {
      result.statistics = core::computeLabelStatistics(*image, *labels);
    } catch (const std::exception& e) {
      result.error = QString::fromStdString(e.what());
    }
    return result;
  });
}

void StatisticsPanel::onFinished(Result result) {
  // A synchronous update (Copy, Export) may have shown newer figures meanwhile.
  if (result.revision > shownRevision_) showStatistics(std::move(result.statistics), result.revision, result.error);
  if (!isCurrent() && isVisible()) debounce_.start();
}

void StatisticsPanel::updateCurrent() {
  if (isCurrent()) return;
  debounce_.stop();
  if (!model_->hasImage()) return showStatistics({}, revision_);
  try {
    showStatistics(core::computeLabelStatistics(model_->session().image(), model_->session().labels()), revision_);
  } catch (const std::exception& e) {
    showStatistics({}, revision_, QString::fromStdString(e.what()));
  }
}

void StatisticsPanel::showStatistics(std::vector<core::LabelStatistics> statistics, uint64_t revision,
                                     const QString& error) {
  shown_ = std::move(statistics);
  shownRevision_ = revision;
  const core::LabelTable& labels = model_->session().table();
  table_->setRowCount(int(shown_.size()));
  double totalMl = 0;
  for (int row = 0; row < int(shown_.size()); ++row) {
    const core::LabelStatistics& s = shown_[std::size_t(row)];
    totalMl += s.volumeMl;
    const core::LabelEntry* entry = labels.find(s.value);
    const auto rgb = entry ? entry->color : core::LabelTable::defaultColor(s.value);
    QTableWidgetItem* swatch = cell({}, false);
    swatch->setBackground(QColor(rgb[0], rgb[1], rgb[2]));
    table_->setItem(row, Colour, swatch);
    table_->setItem(row, Value, cell(QString::number(s.value), true));
    table_->setItem(row, Name, cell(QString::fromStdString(s.name), false));
    QTableWidgetItem* voxels = cell(QString::number(s.voxels), true);
    voxels->setData(Qt::UserRole, qint64(s.voxels));
    table_->setItem(row, Voxels, voxels);
    table_->setItem(row, Volume, cell(number(s.volumeMl, 3), true));
    table_->setItem(row, Mean, cell(number(s.mean, 2), true));
    table_->setItem(row, Std, cell(number(s.stddev, 2), true));
    table_->setItem(row, Min, cell(QString::number(s.min, 'g', 6), true));
    table_->setItem(row, Max, cell(QString::number(s.max, 'g', 6), true));
    table_->setItem(row, Extent, cell(QString("%1–%2, %3–%4, %5–%6")
                                          .arg(s.extent.lo[0]).arg(s.extent.hi[0])
                                          .arg(s.extent.lo[1]).arg(s.extent.hi[1])
                                          .arg(s.extent.lo[2]).arg(s.extent.hi[2]), false));
    table_->setItem(row, Size, cell(QString("%1 × %2 × %3")
                                        .arg(number(s.extentMm[0], 1), number(s.extentMm[1], 1), number(s.extentMm[2], 1)),
                                    false));
  }
  table_->resizeColumnsToContents();
  table_->setColumnWidth(Colour, 24);
  if (!error.isEmpty())
    summary_->setText("Statistics failed: " + error);
  else if (!isCurrent())
    summary_->setText("Updating…");
  else if (!model_->hasImage())
    summary_->setText("No image");
  else
    summary_->setText(shown_.empty() ? "No labelled voxels"
                                     : QString("%1 label(s), %2 mL in all").arg(shown_.size()).arg(number(totalMl, 2)));
  copy_->setEnabled(model_->hasImage());
  export_->setEnabled(model_->hasImage());
  Q_EMIT statisticsShown();
}

void StatisticsPanel::copyToClipboard() {
  updateCurrent();
  QApplication::clipboard()->setText(QString::fromStdString(core::statisticsToCsv(shown_)));
}

bool StatisticsPanel::exportCsv(const QString& path, QString* error) {
  updateCurrent();
  try {
    core::writeStatisticsCsv(shown_, path.toStdString());
    return true;
  } catch (const core::Error& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void StatisticsPanel::chooseExportFile() {
  if (!model_->hasImage()) return;
  const QFileInfo source(QString::fromStdString(model_->session().sourcePath()));
  QString stem = source.fileName();
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".dcm.gz", ".dcm"})
    if (stem.endsWith(ext, Qt::CaseInsensitive)) {
      stem.chop(int(qstrlen(ext)));
      break;
    }
  QString path = QFileDialog::getSaveFileName(this, "Export statistics", source.path() + "/" + stem + "_statistics.csv",
                                              "CSV files (*.csv);;All files (*)");
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".csv";
  QString error;
  if (!exportCsv(path, &error)) QMessageBox::warning(this, "Export statistics", error);
}

}  // namespace protolabel::ui
