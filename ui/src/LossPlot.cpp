#include "protolabel/ui/LossPlot.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <limits>

namespace protolabel::ui {

namespace {

// A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals over `range`.
double niceStep(double range, int ticks) {
  if (!(range > 0)) return 1;
  const double raw = range / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  return magnitude * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

QString tickText(double value, double step) {
  const int decimals = step >= 1 ? 0 : std::min(6, int(std::ceil(-std::log10(step))));
  return QString::number(value, 'f', decimals);
}

}  // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent) {
  setObjectName("lossPlot");
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LossPlot::addPoint(int iteration, double loss, double runningMean) {
  if (!std::isfinite(loss) || !std::isfinite(runningMean)) return;
  iterations_.push_back(iteration);
  losses_.push_back(loss);
  means_.push_back(runningMean);
  update();
}

void LossPlot::clear() {
  iterations_.clear();
  losses_.clear();
  means_.clear();
  update();
}

void LossPlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  const QColor text = palette().color(QPalette::Text);
  if (iterations_.isEmpty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, tr("The training loss appears here"));
    return;
  }

  const QFontMetrics fm = fontMetrics();
  const QRect plot = rect().adjusted(fm.horizontalAdvance("00.000") + 10, fm.height() + 4,
                                     -fm.horizontalAdvance("00000") / 2 - 4, -2 * fm.height() - 6);
  if (plot.width() < 20 || plot.height() < 20) return;

  // Ranges: the y axis ends at the 98th percentile of the raw losses (or the mean's maximum), so a
  // few early spikes do not flatten the curve; higher marks are drawn at the top edge.
  const double x0 = iterations_.front(), x1 = std::max<double>(iterations_.back(), x0 + 1);
  QVector<double> sorted = losses_;
  const int at = std::min<int>(int(sorted.size()) - 1, int(0.98 * sorted.size()));
  std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
  double y1 = std::max(sorted[at], *std::max_element(means_.begin(), means_.end()));
  double y0 = std::min(*std::min_element(losses_.begin(), losses_.end()), *std::min_element(means_.begin(), means_.end()));
  if (y0 > 0) y0 = 0;  // losses are non-negative: the axis starts at zero
  if (y1 - y0 < 1e-9) y1 = y0 + 1;
  auto px = [&](double x) { return plot.left() + (x - x0) / (x1 - x0) * plot.width(); };
  auto py = [&](double y) { return plot.bottom() - (std::min(y, y1) - y0) / (y1 - y0) * plot.height(); };

  // Axes and ticks.
  p.setPen(QPen(palette().color(QPalette::Mid), 1));
  p.drawRect(plot);
  p.setPen(text);
  const double ys = niceStep(y1 - y0, 4);
  for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-9; y += ys) {
    const double v = py(y);
    p.setPen(QPen(palette().color(QPalette::Midlight), 1, Qt::DotLine));
    p.drawLine(QPointF(plot.left(), v), QPointF(plot.right(), v));
    p.setPen(text);
    p.drawText(QRectF(0, v - fm.height() / 2.0, plot.left() - 5, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
               tickText(y, ys));
  }
  const double xs = std::max(1.0, niceStep(x1 - x0, 5));
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + 1e-9; x += xs) {
    const double h = px(x);
    p.drawLine(QPointF(h, plot.bottom()), QPointF(h, plot.bottom() + 3));
    p.drawText(QRectF(h - 40, plot.bottom() + 3, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop, tickText(x, xs));
  }
  p.drawText(QRect(plot.left(), plot.bottom() + fm.height() + 4, plot.width(), fm.height()), Qt::AlignHCenter,
             tr("iteration"));

  // One column per pixel: the raw losses as a min-max bar, the running mean as its last value.
  const int columns = plot.width() + 1;
  QVector<double> lo(columns, std::numeric_limits<double>::infinity()), hi(columns, -lo[0]), mean(columns, NAN);
  for (int i = 0; i < iterations_.size(); ++i) {
    const int c = std::clamp(int(px(iterations_[i]) - plot.left()), 0, columns - 1);
    lo[c] = std::min(lo[c], losses_[i]);
    hi[c] = std::max(hi[c], losses_[i]);
    mean[c] = means_[i];
  }
  QColor light = palette().color(QPalette::Highlight);
  light.setAlpha(90);
  p.setPen(QPen(light, 1.5));
  QPainterPath raw, running;
  bool rawStarted = false, meanStarted = false;
  for (int c = 0; c < columns; ++c) {
    if (!std::isfinite(lo[c])) continue;
    const double x = plot.left() + c;
    if (hi[c] - lo[c] > 0) p.drawLine(QPointF(x, py(lo[c])), QPointF(x, py(hi[c])));
    const QPointF middle(x, py((lo[c] + hi[c]) / 2));
    rawStarted ? raw.lineTo(middle) : raw.moveTo(middle);
    rawStarted = true;
    const QPointF m(x, py(mean[c]));
    meanStarted ? running.lineTo(m) : running.moveTo(m);
    meanStarted = true;
  }
  p.setPen(QPen(light, 1));
  p.drawPath(raw);
  if (iterations_.size() < 200)  // few enough to show each iteration as a dot
    for (int i = 0; i < iterations_.size(); ++i) p.drawEllipse(QPointF(px(iterations_[i]), py(losses_[i])), 1.8, 1.8);
  p.setPen(QPen(palette().color(QPalette::Highlight).darker(130), 2.5));
  p.drawPath(running);

  // Legend.
  p.setPen(text);
  const QString legend = tr("loss (light), running mean (bold): %1").arg(means_.back(), 0, 'f', 3);
  p.drawText(QRect(plot.left(), 0, plot.width(), fm.height() + 2), Qt::AlignLeft | Qt::AlignVCenter, legend);
}

}  // namespace protolabel::ui
