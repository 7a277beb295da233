#include "protolabel/ui/SliceRenderer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace protolabel::ui {

namespace {

using Rgb = std::array<uint8_t, 3>;

// Grey values of the slice through the window, in slice order (u fastest).
std::vector<uint8_t> windowedSlice(const core::Volume& image, core::Axis axis, int64_t slice, const core::Window& w) {
  const core::SliceLayout L = core::sliceLayout(image.size(), axis);
  std::vector<uint8_t> grey(std::size_t(L.width * L.height));
  const float low = float(w.low()), scale = float(255.0 / w.width);
  core::dispatchPixelType(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> values = core::extractSlice(image.data<T>(), image.size(), axis, slice);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const float g = (float(values[i]) - low) * scale;
      grey[i] = !(g > 0) ? 0 : g >= 255 ? 255 : uint8_t(g);  // NaN shows black
    }
  });
  return grey;
}

// Label edges between neighbouring pixels of a (screen-oriented) label image.
void addContours(const std::vector<uint16_t>& values, int width, int height, bool proposal,
                 std::map<std::pair<uint16_t, bool>, QVector<QLineF>>& out) {
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const uint16_t v = values[std::size_t(y * width + x)];
      if (v == 0) continue;
      auto& seg = out[{v, proposal}];
      if (x == 0 || values[std::size_t(y * width + x - 1)] != v) seg.append(QLineF(x, y, x, y + 1));
      if (x == width - 1 || values[std::size_t(y * width + x + 1)] != v) seg.append(QLineF(x + 1, y, x + 1, y + 1));
      if (y == 0 || values[std::size_t((y - 1) * width + x)] != v) seg.append(QLineF(x, y, x + 1, y));
      if (y == height - 1 || values[std::size_t((y + 1) * width + x)] != v) seg.append(QLineF(x, y + 1, x + 1, y + 1));
    }
}

// Reorders a slice-order buffer into screen order (flips applied).
template <class T>
std::vector<T> toScreen(const std::vector<T>& values, int width, int height, const core::SliceOrientation& o) {
  if (!o.flipU && !o.flipV) return values;
  std::vector<T> out(values.size());
  for (int v = 0; v < height; ++v) {
    const int y = o.flipV ? height - 1 - v : v;
    for (int u = 0; u < width; ++u) {
      const int x = o.flipU ? width - 1 - u : u;
      out[std::size_t(y * width + x)] = values[std::size_t(v * width + u)];
    }
  }
  return out;
}

}  // namespace

std::vector<uint16_t> labelSlice(const core::LabelMap& labels, core::Axis axis, int64_t slice) {
  return core::extractSlice(labels.voxels().data<uint16_t>(), labels.geometry().size, axis, slice);
}

RenderedSlice renderSlice(const ViewerModel& model, core::Axis axis, int64_t slice) {
  const core::AnnotationSession& session = model.session();
  const core::Volume& image = session.image();
  const core::SliceLayout L = core::sliceLayout(image.size(), axis);
  const int width = int(L.width), height = int(L.height);
  RenderedSlice out;
  out.orientation = core::sliceOrientation(image.geometry(), axis);
  const OverlayOptions& overlay = model.overlays();

  const std::vector<uint8_t> grey = toScreen(windowedSlice(image, axis, slice, model.window()), width, height, out.orientation);
  std::vector<uint16_t> labels, proposed;
  if (overlay.showLabels) labels = toScreen(labelSlice(session.labels(), axis, slice), width, height, out.orientation);
  const auto& proposal = session.proposal();
  if (proposal && overlay.showProposal) {
    proposed = toScreen(labelSlice(proposal->labels, axis, slice), width, height, out.orientation);
    // Accepted or discarded labels keep their voxels in the proposal (for undo) but are not shown.
    for (uint16_t& v : proposed)
      if (v && !proposal->pending.count(v)) v = 0;
  }
  std::vector<uint8_t> uncertainty;
  if (proposal && overlay.showConfidence)
    uncertainty = toScreen(core::extractSlice(proposal->uncertainty.data(), image.size(), axis, slice), width, height,
                           out.orientation);

  // Colour and fill opacity per label value, looked up once per slice.
  std::map<uint16_t, std::pair<Rgb, float>> style;
  for (const core::LabelEntry& e : session.table().entries())
    style[e.value] = {e.color, e.visible ? float(e.opacity) : 0.0f};
  auto styleOf = [&](uint16_t v) -> const std::pair<Rgb, float>& {
    auto it = style.find(v);
    if (it == style.end()) it = style.emplace(v, std::make_pair(core::LabelTable::defaultColor(v), 1.0f)).first;
    return it->second;
  };

  out.image = QImage(width, height, QImage::Format_RGB32);
  const float labelAlpha = float(overlay.labelOpacity), proposalAlpha = float(overlay.proposalOpacity);
  for (int y = 0; y < height; ++y) {
    QRgb* row = reinterpret_cast<QRgb*>(out.image.scanLine(y));
    for (int x = 0; x < width; ++x) {
      const std::size_t i = std::size_t(y * width + x);
      float r = grey[i], g = grey[i], b = grey[i];
      auto blend = [&](uint16_t v, float alpha) {
        const auto& [rgb, opacity] = styleOf(v);
        const float a = alpha * opacity;
        r += (rgb[0] - r) * a, g += (rgb[1] - g) * a, b += (rgb[2] - b) * a;
      };
      if (!proposed.empty() && proposed[i]) blend(proposed[i], proposalAlpha);
      if (!labels.empty() && labels[i]) blend(labels[i], labelAlpha);
      if (!uncertainty.empty() && uncertainty[i] > 25) {
        // Magenta tint, stronger where the engine is less sure.
        const float a = 0.6f * uncertainty[i] / 255.0f;
        r += (255 - r) * a, g += (0 - g) * a, b += (255 - b) * a;
      }
      row[x] = qRgb(int(r), int(g), int(b));
    }
  }

  std::map<std::pair<uint16_t, bool>, QVector<QLineF>> segments;
  if (!labels.empty()) addContours(labels, width, height, false, segments);
  if (!proposed.empty()) addContours(proposed, width, height, true, segments);
  for (auto& [key, lines] : segments) {
    const auto* entry = session.table().find(key.first);
    if (entry && !entry->visible) continue;
    out.contours.push_back({key.first, key.second, std::move(lines)});
  }
  return out;
}

}  // namespace protolabel::ui
