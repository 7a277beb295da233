#include "protolabel/core/editing/LabelUndoStack.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

std::size_t sliceBytesOf(const LabelMap& labels) {
  const Size3& size = labels.geometry().size;
  return static_cast<std::size_t>(size[0] * size[1]) * pixelTypeSize(labels.pixelType());
}

const uint8_t* sliceData(const LabelMap& labels, int64_t z, std::size_t sliceBytes) {
  return static_cast<const uint8_t*>(labels.voxels().rawData()) + static_cast<std::size_t>(z) * sliceBytes;
}

uint8_t* sliceData(LabelMap& labels, int64_t z, std::size_t sliceBytes) {
  return static_cast<uint8_t*>(labels.voxels().rawData()) + static_cast<std::size_t>(z) * sliceBytes;
}

void xorInto(uint8_t* target, const uint8_t* source, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) target[i] ^= source[i];
}

// Fastest zlib level: whole-volume edits encode every slice while the user waits, and the trimmed
// differences of brush edits are small at any level.
std::vector<uint8_t> compressFast(const uint8_t* data, std::size_t size, std::vector<uint8_t>& scratch) {
  uLongf length = compressBound(static_cast<uLong>(size));
  if (scratch.size() < length) scratch.resize(length);
  if (compress2(scratch.data(), &length, data, static_cast<uLong>(size), Z_BEST_SPEED) != Z_OK)
    throw Error(ErrorCode::TooLarge, "not enough memory to record this edit for undo");
  return std::vector<uint8_t>(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(length));
}

void decompressExact(const std::vector<uint8_t>& compressed, uint8_t* out, std::size_t size) {
  uLongf length = static_cast<uLongf>(size);
  if (uncompress(out, &length, compressed.data(), static_cast<uLong>(compressed.size())) != Z_OK || length != size)
    throw Error(ErrorCode::CorruptFile, "an undo record is damaged; the edit cannot be undone");
}

}  // namespace

LabelUndoStack::LabelUndoStack(std::size_t memoryLimitBytes) : memoryLimit_(memoryLimitBytes) {}

void LabelUndoStack::begin(const LabelMap& labels, std::string description, std::any stateBefore) {
  if (open_) throw std::logic_error("an edit is already being recorded: commit or cancel it first");
  pending_ = Entry{};
  pending_.description = std::move(description);
  pending_.before = std::move(stateBefore);
  pending_.size = labels.geometry().size;
  pending_.type = labels.pixelType();
  sliceBytes_ = sliceBytesOf(labels);
  before_.assign(static_cast<std::size_t>(std::max<int64_t>(pending_.size[2], 0)), {});
  open_ = true;
}

void LabelUndoStack::touch(const LabelMap& labels, int64_t zFirst, int64_t zLast) {
  if (!open_) throw std::logic_error("touch() outside an edit: call begin() first");
  checkCompatible(pending_, labels);
  zFirst = std::max<int64_t>(zFirst, 0);
  zLast = std::min<int64_t>(zLast, pending_.size[2] - 1);
  for (int64_t z = zFirst; z <= zLast; ++z) {
    std::vector<uint8_t>& saved = before_[static_cast<std::size_t>(z)];
    if (!saved.empty() || sliceBytes_ == 0) continue;  // the first touch holds the state before the edit
    const uint8_t* current = sliceData(labels, z, sliceBytes_);
    saved.assign(current, current + sliceBytes_);
  }
}

void LabelUndoStack::touchAll(const LabelMap& labels) { touch(labels, 0, labels.geometry().size[2] - 1); }

bool LabelUndoStack::commit(const LabelMap& labels, std::any stateAfter, bool stateChanged) {
  if (!open_) throw std::logic_error("commit() outside an edit: call begin() first");
  checkCompatible(pending_, labels);
  Entry entry = std::move(pending_);
  entry.after = std::move(stateAfter);
  std::vector<uint8_t> scratch;
  for (std::size_t z = 0; z < before_.size(); ++z) {
    std::vector<uint8_t>& saved = before_[z];
    if (saved.empty()) continue;
    const uint8_t* after = sliceData(labels, static_cast<int64_t>(z), sliceBytes_);
    if (std::memcmp(saved.data(), after, sliceBytes_) != 0) {
      xorInto(saved.data(), after, sliceBytes_);
      // Keep only the bytes from the first to the last difference: a stroke's rows, not the slice.
      const auto first = std::find_if(saved.begin(), saved.end(), [](uint8_t b) { return b != 0; });
      const auto last = std::find_if(saved.rbegin(), saved.rend(), [](uint8_t b) { return b != 0; }).base();
      SliceDiff diff;
      diff.z = static_cast<int64_t>(z);
      diff.offset = static_cast<std::size_t>(first - saved.begin());
      diff.length = static_cast<std::size_t>(last - first);
      diff.compressedXor = compressFast(&*first, diff.length, scratch);
      entry.bytes += diff.compressedXor.size();
      entry.slices.push_back(std::move(diff));
    }
    std::vector<uint8_t>().swap(saved);  // release each copy as soon as it is encoded
  }
  cancel();
  if (entry.slices.empty() && !stateChanged) return false;
  entry.id = nextId_++;
  heldBytes_ += entry.bytes;
  for (const Entry& dropped : redo_) heldBytes_ -= dropped.bytes;
  redo_.clear();
  undo_.push_back(std::move(entry));
  dropOldestBeyondLimit();
  return true;
}

void LabelUndoStack::cancel() {
  open_ = false;
  pending_ = Entry{};
  std::vector<std::vector<uint8_t>>().swap(before_);
}

std::string LabelUndoStack::undoText() const { return undo_.empty() ? std::string() : undo_.back().description; }

std::string LabelUndoStack::redoText() const { return redo_.empty() ? std::string() : redo_.back().description; }

IndexBox LabelUndoStack::undo(LabelMap& labels, std::any* state) {
  if (open_) throw std::logic_error("undo() while an edit is being recorded");
  if (undo_.empty()) return {};
  const IndexBox box = apply(undo_.back(), labels);
  if (state) *state = undo_.back().before;
  redo_.push_back(std::move(undo_.back()));
  undo_.pop_back();
  return box;
}

IndexBox LabelUndoStack::redo(LabelMap& labels, std::any* state) {
  if (open_) throw std::logic_error("redo() while an edit is being recorded");
  if (redo_.empty()) return {};
  const IndexBox box = apply(redo_.back(), labels);
  if (state) *state = redo_.back().after;
  undo_.push_back(std::move(redo_.back()));
  redo_.pop_back();
  return box;
}

void LabelUndoStack::clear() {
  cancel();
  undo_.clear();
  redo_.clear();
  heldBytes_ = 0;
}

void LabelUndoStack::checkCompatible(const Entry& entry, const LabelMap& labels) const {
  if (labels.geometry().size != entry.size || labels.pixelType() != entry.type)
    throw Error(ErrorCode::GridMismatch, "the label map is not the one the edit \"" + entry.description +
                                             "\" was recorded on");
}

// XOR is its own inverse, so the same step serves undo and redo.
IndexBox LabelUndoStack::apply(const Entry& entry, LabelMap& labels) {
  checkCompatible(entry, labels);
  const std::size_t sliceBytes = sliceBytesOf(labels);
  // One slice at a time, so undoing a whole-volume edit never holds a second copy of the map.
  std::vector<uint8_t> difference(sliceBytes);
  for (const SliceDiff& slice : entry.slices) {
    decompressExact(slice.compressedXor, difference.data(), slice.length);
    xorInto(sliceData(labels, slice.z, sliceBytes) + slice.offset, difference.data(), slice.length);
  }
  IndexBox box;
  if (entry.slices.empty()) return box;
  box.lo = {0, 0, entry.slices.front().z};
  box.hi = {entry.size[0] - 1, entry.size[1] - 1, entry.slices.back().z};
  return box;
}

void LabelUndoStack::dropOldestBeyondLimit() {
  while (heldBytes_ > memoryLimit_ && undo_.size() > 1) {
    heldBytes_ -= undo_.front().bytes;
    undo_.pop_front();
  }
}

}  // namespace protolabel::core
