#pragma once
// Turns one slice of the session into pixels: the image through the window, the user's labels and
// the engine's proposal as translucent fills, the confidence tint, and the label boundaries as
// line segments. Kept apart from the widget so it is benchmarked and tested on its own.
#include <QImage>
#include <QLineF>
#include <QVector>
#include <cstdint>
#include <vector>

#include "protolabel/core/display/SliceOrientation.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

// Boundary of one label on a slice: voxel edges between the label and anything else, in screen-
// oriented slice pixel units (the slice image's coordinates, flips applied).
struct LabelContour {
  uint16_t value = 0;
  bool proposal = false;  // from the engine's pending proposal (drawn dashed)
  QVector<QLineF> segments;
};

struct RenderedSlice {
  QImage image;  // width x height of the slice, RGB32, flips applied
  std::vector<LabelContour> contours;
  core::SliceOrientation orientation;
};

RenderedSlice renderSlice(const ViewerModel& model, core::Axis axis, int64_t slice);

// The label values of one slice, u fastest (helper shared by the renderer and the tests).
std::vector<uint16_t> labelSlice(const core::LabelMap& labels, core::Axis axis, int64_t slice);

}  // namespace protolabel::ui
