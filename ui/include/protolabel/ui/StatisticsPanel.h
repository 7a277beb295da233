#pragma once
// The Statistics tab: one row per label present (voxels, volume, intensity mean/std/min/max,
// extent), copied to the clipboard or exported as CSV. It follows the labels: after an edit, undo,
// table change or new image it recomputes on a worker thread, from the shared image and a copy of
// the labels, shortly after the changes stop and only while the tab is visible.
#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <vector>

#include "protolabel/core/LabelStatistics.h"
#include "protolabel/ui/BackgroundWork.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace protolabel::ui {

class ViewerModel;

class StatisticsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StatisticsPanel(ViewerModel* model, QWidget* parent = nullptr);
  // Waits for a computation still running (it reads the labels' copy and the shared image only).
  ~StatisticsPanel() override;

  QTableWidget* table() const { return table_; }
  QPushButton* copyButton() const { return copy_; }
  QPushButton* exportButton() const { return export_; }
  // What the table shows; may lag the labels by one computation (see isCurrent()).
  const std::vector<core::LabelStatistics>& statistics() const { return shown_; }
  // The table describes the labels as they are now.
  bool isCurrent() const { return shownRevision_ == revision_; }

  // Both act on the labels as they are now: out-of-date statistics are recomputed first.
  void copyToClipboard();
  // Atomic write; false (with the reason in `error`) when the file cannot be written.
  bool exportCsv(const QString& path, QString* error = nullptr);

 public Q_SLOTS:
  void chooseExportFile();

 Q_SIGNALS:
  // The table was refilled from a finished computation.
  void statisticsShown();

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  struct Result {
    uint64_t revision = 0;
    std::vector<core::LabelStatistics> statistics;
    QString error;
  };
  void labelsChanged();
  void startComputation();
  void onFinished(Result result);
  void showStatistics(std::vector<core::LabelStatistics> statistics, uint64_t revision, const QString& error = {});
  void updateCurrent();  // synchronously, on this thread

  ViewerModel* model_;
  QTableWidget* table_;
  QLabel* summary_;
  QPushButton* copy_;
  QPushButton* export_;
  QTimer debounce_;
  BackgroundTask<Result> work_{[this](Result result) { onFinished(std::move(result)); }};
  uint64_t revision_ = 1;       // increases with every change of the labels, table or image
  uint64_t shownRevision_ = 0;  // the revision the table shows
  std::vector<core::LabelStatistics> shown_;
};

}  // namespace protolabel::ui
