#pragma once
// Training loss against iteration: each iteration's loss as light marks, the running mean as a bold
// line, with a few labelled ticks on both axes. Draws at most a few values per pixel column, so
// thousands of iterations repaint as cheaply as a hundred.
#include <QVector>
#include <QWidget>

namespace protolabel::ui {

class LossPlot : public QWidget {
  Q_OBJECT
 public:
  explicit LossPlot(QWidget* parent = nullptr);

  void addPoint(int iteration, double loss, double runningMean);
  void clear();
  int pointCount() const { return int(iterations_.size()); }

  QSize sizeHint() const override { return {420, 220}; }
  QSize minimumSizeHint() const override { return {200, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QVector<int> iterations_;
  QVector<double> losses_;
  QVector<double> means_;
};

}  // namespace protolabel::ui
