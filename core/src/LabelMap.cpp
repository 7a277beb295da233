#include "protolabel/core/LabelMap.h"

#include <algorithm>
#include <stdexcept>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {
bool isLabelType(PixelType t) { return t == PixelType::UInt8 || t == PixelType::UInt16; }

template <class F>
decltype(auto) dispatchLabelType(PixelType type, F&& f) {
  if (type == PixelType::UInt8) return f(uint8_t{});
  return f(uint16_t{});
}
}  // namespace

LabelMap::LabelMap(const ImageGeometry& grid, PixelType type) : voxels_(grid, type) {
  if (!isLabelType(type)) throw Error(ErrorCode::InvalidArgument, "a label map holds uint8 or uint16 voxels");
}

LabelMap::LabelMap(Volume voxels, LabelTable table) : voxels_(std::move(voxels)), table_(std::move(table)) {
  if (!isLabelType(voxels_.pixelType()))
    throw Error(ErrorCode::InvalidArgument, std::string("a label map holds uint8 or uint16 voxels, not ") +
                                                pixelTypeName(voxels_.pixelType()));
}

uint16_t LabelMap::labelAtLinear(int64_t index) const {
  return dispatchLabelType(pixelType(), [&](auto v) {
    using T = decltype(v);
    return static_cast<uint16_t>(voxels_.data<T>()[index]);
  });
}

void LabelMap::set(int64_t i, int64_t j, int64_t k, uint16_t value) {
  if (pixelType() == PixelType::UInt8 && value > 255)
    throw Error(ErrorCode::InvalidArgument, "label value " + std::to_string(value) + " does not fit a uint8 label map");
  dispatchLabelType(pixelType(), [&](auto v) {
    using T = decltype(v);
    voxels_.data<T>()[voxels_.linearIndex(i, j, k)] = static_cast<T>(value);
  });
}

std::map<uint16_t, int64_t> LabelMap::histogram() const {
  std::vector<int64_t> counts(65536, 0);
  dispatchLabelType(pixelType(), [&](auto v) {
    using T = decltype(v);
    const T* p = voxels_.data<T>();
    for (int64_t i = 0, n = voxels_.voxelCount(); i < n; ++i) ++counts[p[i]];
  });
  std::map<uint16_t, int64_t> result;
  for (std::size_t value = 1; value < counts.size(); ++value)
    if (counts[value]) result[static_cast<uint16_t>(value)] = counts[value];
  return result;
}

std::vector<uint8_t> LabelMap::sliceMask(Axis axis, int64_t index, uint16_t value) const {
  return dispatchPixelType(pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> slice = extractSlice(voxels_.data<T>(), geometry().size, axis, index);
    std::vector<uint8_t> mask(slice.size());
    std::transform(slice.begin(), slice.end(), mask.begin(), [value](T v) { return uint8_t(v == value); });
    return mask;
  });
}

std::vector<int64_t> LabelMap::slicesContaining(uint16_t value, Axis axis) const {
  const IndexBox box = extentOf(value);
  std::vector<int64_t> slices;
  if (box.empty()) return slices;
  for (int64_t s = box.lo[std::size_t(axis)]; s <= box.hi[std::size_t(axis)]; ++s) {
    const std::vector<uint8_t> mask = sliceMask(axis, s, value);
    if (std::find(mask.begin(), mask.end(), 1) != mask.end()) slices.push_back(s);
  }
  return slices;
}

IndexBox LabelMap::extentOf(uint16_t value) const {
  const auto all = extents();
  const auto it = all.find(value);
  return it == all.end() ? IndexBox{} : it->second;
}

std::map<uint16_t, IndexBox> LabelMap::extents() const {
  std::map<uint16_t, IndexBox> boxes;
  const Size3& s = geometry().size;
  int64_t index = 0;
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i, ++index) {
        const uint16_t value = labelAtLinear(index);
        if (value == 0) continue;
        auto [it, added] = boxes.try_emplace(value);
        IndexBox& box = it->second;
        const int64_t ijk[3] = {i, j, k};
        for (int a = 0; a < 3; ++a) {
          box.lo[a] = added ? ijk[a] : std::min(box.lo[a], ijk[a]);
          box.hi[a] = added ? ijk[a] : std::max(box.hi[a], ijk[a]);
        }
      }
  return boxes;
}

IndexBox LabelMap::contentExtent() const {
  IndexBox box;
  const Size3& s = geometry().size;
  dispatchLabelType(pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* row = voxels_.data<T>();
    for (int64_t k = 0; k < s[2]; ++k)
      for (int64_t j = 0; j < s[1]; ++j, row += s[0]) {
        T any = 0;
        for (int64_t i = 0; i < s[0]; ++i) any |= row[i];  // no early exit, so it vectorises
        if (!any) continue;
        int64_t first = 0, last = s[0] - 1;
        while (!row[first]) ++first;
        while (!row[last]) --last;
        const bool fresh = box.empty();
        const int64_t lo[3] = {first, j, k}, hi[3] = {last, j, k};
        for (int a = 0; a < 3; ++a) {
          box.lo[a] = fresh ? lo[a] : std::min(box.lo[a], lo[a]);
          box.hi[a] = fresh ? hi[a] : std::max(box.hi[a], hi[a]);
        }
      }
  });
  return box;
}

LabelMap LabelMap::cropped(IndexBox box) const {
  const Size3& s = geometry().size;
  Size3 n{};
  for (int a = 0; a < 3; ++a) {
    box.lo[a] = std::clamp<int64_t>(box.lo[a], 0, s[a] - 1);
    box.hi[a] = std::clamp<int64_t>(box.hi[a], box.lo[a], s[a] - 1);
    n[a] = box.hi[a] - box.lo[a] + 1;
  }
  ImageGeometry grid = geometry();
  grid.size = n;
  grid.origin = geometry().indexToPhysical({double(box.lo[0]), double(box.lo[1]), double(box.lo[2])});
  return dispatchLabelType(pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const auto rowOf = [&](int64_t j, int64_t k) { return voxels_.data<T>() + voxels_.linearIndex(box.lo[0], j, k); };
    T highest = 0;
    for (int64_t k = box.lo[2]; k <= box.hi[2]; ++k)
      for (int64_t j = box.lo[1]; j <= box.hi[1]; ++j) highest = std::max(highest, *std::max_element(rowOf(j, k), rowOf(j, k) + n[0]));
    LabelMap out(grid, highest <= 255 ? PixelType::UInt8 : PixelType::UInt16);
    out.table_ = table_;
    dispatchLabelType(out.pixelType(), [&](auto outTag) {
      using U = decltype(outTag);
      U* dst = out.voxels_.data<U>();
      for (int64_t k = box.lo[2]; k <= box.hi[2]; ++k)
        for (int64_t j = box.lo[1]; j <= box.hi[1]; ++j, dst += n[0]) std::copy(rowOf(j, k), rowOf(j, k) + n[0], dst);
    });
    return out;
  });
}

LabelTable LabelMap::completeTable() const {
  LabelTable table = table_;
  for (const auto& [value, count] : histogram())
    if (!table.find(value)) table.addDefault(value);
  return table;
}

}  // namespace protolabel::core
