#pragma once
// The few-shot segmentation panel: the support slices of every label (jump to one, remove one),
// the model and device, the support source (this volume or another labelled volume), Segment with
// progress, ETA and Cancel, and the pending proposal's labels with Accept and Discard, the
// confidence overlay and "next uncertain slice".
#include <QWidget>

#include "protolabel/ui/SegmentationRunner.h"

class QCheckBox;
class QSpinBox;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace protolabel::ui {

class ViewerModel;

class SegmentPanel : public QWidget {
  Q_OBJECT
 public:
  SegmentPanel(ViewerModel* model, SegmentationRunner* runner, QWidget* parent = nullptr);

  void setModelFile(const QString& path);
  void setDevice(const QString& name);  // "auto", "cpu" or "cuda"
  QPushButton* segmentButton() const { return segment_; }
  QPushButton* cancelButton() const { return cancel_; }
  QListWidget* supportList() const { return supports_; }
  QListWidget* proposalList() const { return proposals_; }
  QCheckBox* sliceRangeBox() const { return rangeOn_; }
  QSpinBox* sliceRangeFirst() const { return rangeFirst_; }
  QSpinBox* sliceRangeLast() const { return rangeLast_; }
  QString statusText() const;

 public Q_SLOTS:
  void runSegmentation();
  void acceptAll();
  void nextUncertainSlice();
  void chooseSupportVolume();
  void useThisVolume();

 Q_SIGNALS:
  void modelFileChanged(const QString& path);
  void deviceChanged(const QString& device);
  // A proposal arrived (autosave after each AI run).
  void segmentationFinished();

 private:
  void rebuildSupports();
  void showSliceRange();   // the active label's range into the controls
  void pushSliceRange();   // the controls into the runner's options
  void rebuildProposals();
  void setRunning(bool running);
  inference::Device selectedDevice() const;

  ViewerModel* model_;
  SegmentationRunner* runner_;
  QListWidget* supports_;
  QPushButton* removeSupport_;
  QLabel* modelLabel_;
  QComboBox* device_;
  QCheckBox* adapt_;
  QCheckBox* rangeOn_;
  QSpinBox* rangeFirst_;
  QSpinBox* rangeLast_;
  QComboBox* modality_;
  QLabel* sourceLabel_;
  QPushButton* segment_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  QListWidget* proposals_;
  QCheckBox* confidence_;
  int64_t lastUncertainSlice_ = -1;  // where "next uncertain slice" went last
};

}  // namespace protolabel::ui
