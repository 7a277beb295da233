#pragma once
// The Tools tab: label and proposal opacity, the threshold brush, interpolation between slices and
// seeded region growing. Interpolation and region growing produce proposals, reviewed and accepted in
// the Segment tab like the network's result.
#include <QWidget>
#include <array>
#include <cstdint>

#include "protolabel/core/editing/RegionGrow.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;

namespace protolabel::ui {

class ViewerModel;

class ToolsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ToolsPanel(ViewerModel* model, QWidget* parent = nullptr);

  QString statusText() const;
  QSlider* labelOpacity() const { return labelOpacity_; }
  QCheckBox* thresholdBrush() const { return threshold_; }
  QDoubleSpinBox* thresholdLow() const { return low_; }
  QDoubleSpinBox* thresholdHigh() const { return high_; }
  QPushButton* interpolateButton() const { return interpolate_; }
  QDoubleSpinBox* growTolerance() const { return tolerance_; }
  QPushButton* growFromPaintedButton() const { return growPainted_; }

 public Q_SLOTS:
  void interpolate();
  void growFrom(const std::array<int64_t, 3>& voxel);
  void growFromPainted();

 Q_SIGNALS:
  void proposalMade();  // interpolation or region growing offered a proposal

 private:
  void pushPaintRange();
  std::pair<double, double> thresholdRange() const;  // [from, to] in order, whichever box is larger
  core::RegionGrowOptions growOptions() const;
  void reportGrowth(int64_t voxels, const QString& from);
  QString activeLabelName() const;

  ViewerModel* model_;
  QSlider* labelOpacity_;
  QSlider* proposalOpacity_;
  QCheckBox* threshold_;
  QDoubleSpinBox* low_;
  QDoubleSpinBox* high_;
  QPushButton* interpolate_;
  QDoubleSpinBox* tolerance_;
  QCheckBox* growInRange_;
  QPushButton* growPainted_;
  QLabel* status_;
};

}  // namespace protolabel::ui
