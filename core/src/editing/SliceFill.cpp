// Bucket fill on one slice (declared in SliceBrush.h): a scanline flood fill that changes the region
// in place, so the changed voxels themselves mark what has been visited and no mask is allocated.
#include <utility>
#include <vector>

#include "SliceAccess.h"
#include "protolabel/core/editing/SliceBrush.h"

namespace protolabel::core {

using editing_detail::checkValueFits;
using editing_detail::LockTable;
using editing_detail::PlaneBox;
using editing_detail::SlicePlane;
using editing_detail::slicePlane;

namespace {

template <class T>
IndexBox fillRegion(LabelMap& labels, Axis axis, int64_t slice, int64_t seedU, int64_t seedV,
                    const PaintRules& rules) {
  const SlicePlane<T> plane = slicePlane<T>(labels, axis, slice);
  if (seedU < 0 || seedV < 0 || seedU >= plane.width || seedV >= plane.height)
    throw std::out_of_range("fill seed (" + std::to_string(seedU) + ", " + std::to_string(seedV) +
                            ") is outside the slice");
  const T target = plane.at(seedU, seedV);
  const T value = static_cast<T>(rules.value);
  PlaneBox changed;
  if (target == value || LockTable(rules.locked, labels.pixelType())[target])
    return changed.toIndexBox(plane.layout, plane.normal, slice);

  // Each entry is a voxel known to hold `target` when pushed; it may have been filled since.
  std::vector<std::pair<int64_t, int64_t>> pending{{seedU, seedV}};
  const auto queueRuns = [&](int64_t v, int64_t uFirst, int64_t uLast) {
    if (v < 0 || v >= plane.height) return;
    bool inRun = false;
    for (int64_t u = uFirst; u <= uLast; ++u) {
      const bool matches = plane.at(u, v) == target;
      if (matches && !inRun) pending.emplace_back(u, v);
      inRun = matches;
    }
  };
  while (!pending.empty()) {
    const auto [u, v] = pending.back();
    pending.pop_back();
    if (plane.at(u, v) != target) continue;
    int64_t first = u, last = u;
    while (first > 0 && plane.at(first - 1, v) == target) --first;
    while (last + 1 < plane.width && plane.at(last + 1, v) == target) ++last;
    for (int64_t x = first; x <= last; ++x) plane.at(x, v) = value;
    changed.add(v, first, last);
    queueRuns(v - 1, first, last);
    queueRuns(v + 1, first, last);
  }
  return changed.toIndexBox(plane.layout, plane.normal, slice);
}

}  // namespace

IndexBox fillInSlice(LabelMap& labels, Axis axis, int64_t slice, int64_t u, int64_t v, const PaintRules& rules) {
  checkValueFits(labels, rules.value);
  if (labels.pixelType() == PixelType::UInt8) return fillRegion<uint8_t>(labels, axis, slice, u, v, rules);
  return fillRegion<uint16_t>(labels, axis, slice, u, v, rules);
}

}  // namespace protolabel::core
