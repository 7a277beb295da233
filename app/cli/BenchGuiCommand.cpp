// protolabel bench gui [--dicom DIR] [--depth N] [--repeats N] [--json]
// Interaction latency of the slice view, with the real widget painting offscreen (no display):
// a brush stroke segment to the repainted 512x512 view, and scrolling through the slices. The
// volume is the real 512x512 MR series (slices repeated up to --depth, 300 by default), with label
// fills and contours on every slice as during annotation.
#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "protolabel/core/editing/SliceBrush.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/ui/SliceView.h"

namespace protolabel::app {

namespace {

// The real series repeated along z up to `depth` slices.
core::Volume stackToDepth(const core::Volume& series, int64_t depth) {
  core::ImageGeometry g = series.geometry();
  const int64_t slices = g.size[2];
  g.size[2] = depth;
  core::Volume out(g, series.pixelType());
  const std::size_t sliceBytes = std::size_t(g.size[0] * g.size[1]) * core::pixelTypeSize(series.pixelType());
  for (int64_t z = 0; z < depth; ++z)
    std::memcpy(static_cast<char*>(out.rawData()) + std::size_t(z) * sliceBytes,
                static_cast<const char*>(series.rawData()) + std::size_t(z % slices) * sliceBytes, sliceBytes);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int runBenchGui(const Args& args) {
  const CommandLine cl(args, {"json"}, {"dicom", "depth", "repeats"});
  const std::string dicom =
      cl.option("dicom", std::string(PROTOLABEL_SOURCE_DIR) + "/../shared/data/mr-brain-dicom-series-vsseg001/dicom");
  const int64_t depth = cl.intOption("depth").value_or(300);
  const int repeats = std::max(1, cl.intOption("repeats").value_or(3));
  const core::Volume volume = stackToDepth(core::readImage(dicom).volume, depth);

  ui::ViewerModel model;
  model.setImage(volume, dicom);
  // Labels on every slice (three discs), so each repaint blends fills and draws contours.
  core::LabelMap labels(volume.geometry(), core::PixelType::UInt16);
  for (int64_t z = 0; z < depth; ++z)
    for (uint16_t l = 1; l <= 3; ++l)
      core::paintDisc(labels, core::Axis::Z, z, 120.0 * l, 256, {50, false}, {l, {}});
  model.loadLabels(labels);

  ui::SliceView view(core::Axis::Z, &model);
  view.resize(800, 800);
  view.show();
  QApplication::processEvents();
  model.setTool(ui::Tool::Brush);
  model.setActiveLabel(4);
  model.setBrush({8, false});

  std::vector<double> strokeRuns, scrollRuns;
  for (int r = 0; r < repeats; ++r) {
    // One stroke of 100 mouse moves across the slice; each: paint, re-render, repaint.
    std::vector<double> moves;
    const int64_t z = model.sliceIndex(core::Axis::Z);
    model.beginStroke(core::Axis::Z, z, 60, 100 + 10 * r);
    for (int i = 1; i <= 100; ++i)
      moves.push_back(seconds([&] {
        model.continueStroke(60 + 4 * i, 100 + 10 * r + (i % 7));
        view.repaint();
      }));
    model.endStroke();
    strokeRuns.push_back(median(moves));
    // Scrolling through every slice, one repaint per step.
    std::vector<double> steps;
    for (int64_t k = 0; k < depth; ++k)
      steps.push_back(seconds([&] {
        model.setSliceIndex(core::Axis::Z, k);
        view.repaint();
      }));
    scrollRuns.push_back(median(steps));
  }
  const double stroke = median(strokeRuns), scroll = median(scrollRuns);
  const auto size = volume.size();
  if (cl.flag("json")) {
    printJson(QJsonObject{{"suite", "gui"},
                          {"volume", QJsonArray{qint64(size[0]), qint64(size[1]), qint64(size[2])}},
                          {"repeats", repeats},
                          {"brush_to_repaint_s", stroke},
                          {"scroll_step_s", scroll},
                          {"scroll_fps", 1.0 / scroll}});
    return 0;
  }
  std::cout << "bench gui: " << size[0] << " x " << size[1] << " x " << size[2] << " (real MR slices), 800x800 view, "
            << "median of " << repeats << " runs of per-event medians\n"
            << std::fixed << std::setprecision(2) << "  brush stroke segment -> repainted view: " << stroke * 1000
            << " ms (target < 16 ms)\n"
            << "  scroll one slice -> repainted view:     " << scroll * 1000 << " ms = " << std::setprecision(0)
            << 1.0 / scroll << " frames/s (target >= 30)\n";
  return 0;
}

}  // namespace protolabel::app
