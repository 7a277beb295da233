#pragma once
// Undo and redo for every change of a label map, stored as compressed per-slice differences.
//
// Each edit keeps, for every axial (Z) slice it changed, zlib(before XOR after). XOR differences are
//  - exact: applying one restores the bytes bit for bit, for uint8 and uint16 maps alike;
//  - symmetric: the same difference turns "after" into "before" and back, so undo and redo share it
//    and no second copy is stored;
//  - nearly free for brush strokes: unchanged voxels XOR to zero, so only the bytes from the first
//    to the last change of a slice are kept, and those, mostly zeros, compress to a few hundred
//    bytes, where a copy of the slice or the map would take MBs.
// Slices an edit did not change are not stored at all.
//
// Usage, for each user action:
//   stack.begin(labels, "Brush");
//   stack.touch(labels, zFirst, zLast);   // before changing voxels in those Z slices; may repeat
//   ... change the voxels ...
//   stack.commit(labels);                 // records the edit; false if nothing changed
//
// An edit may carry the rest of the editor's state before and after it (std::any: the session's
// examples, label table, proposal slice), so that one undo step restores all of it together; such
// an edit is recorded even when no voxel changed (a label renamed, an example removed).
#include <any>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

class LabelUndoStack {
 public:
  static constexpr std::size_t kDefaultMemoryLimit = std::size_t{512} << 20;

  // Beyond `memoryLimitBytes` of compressed differences the oldest edits are forgotten; the latest
  // edit always stays undoable.
  explicit LabelUndoStack(std::size_t memoryLimitBytes = kDefaultMemoryLimit);

  // Starts recording an edit of `labels`. Throws std::logic_error if an edit is already open.
  // `stateBefore`: what undo() hands back besides the voxels (empty: nothing).
  void begin(const LabelMap& labels, std::string description, std::any stateBefore = {});
  // Must precede changes to Z slices [zFirst, zLast] (clamped to the volume): keeps those slices'
  // current bytes, once per slice per edit.
  void touch(const LabelMap& labels, int64_t zFirst, int64_t zLast);
  // The Z slices of `box` (e.g. from strokeBounds); nothing for an empty box.
  void touch(const LabelMap& labels, const IndexBox& box) {
    if (!box.empty()) touch(labels, box.lo[2], box.hi[2]);
  }
  // For edits of the whole volume (e.g. an automatic segmentation). The copy lives only until
  // commit() or cancel().
  void touchAll(const LabelMap& labels);
  // Records the open edit: true if it changed any voxel, or if `stateChanged` (then `stateAfter` is
  // what redo() hands back). An edit that changed something clears the redo list; one that changed
  // nothing leaves both lists as they were.
  bool commit(const LabelMap& labels, std::any stateAfter = {}, bool stateChanged = false);
  // Closes the open edit without recording it (the caller has restored or keeps the voxels).
  void cancel();
  bool editOpen() const { return open_; }

  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }
  std::string undoText() const;  // the description of the edit undo() reverts ("" if none)
  std::string redoText() const;
  // Revert / reapply one edit and return the Z slices changed (full x and y extent); an empty box if
  // there is nothing to do. `labels` must be the map the edits were recorded on (same size and
  // voxel type), else core::Error (GridMismatch); std::logic_error while an edit is open.
  // `state`, when given, receives the edit's state before it (undo) or after it (redo).
  IndexBox undo(LabelMap& labels, std::any* state = nullptr);
  IndexBox redo(LabelMap& labels, std::any* state = nullptr);
  // Identifies where the history stands: the last applied edit (0 at the start). Undoing back to a
  // saved position returns the same value, so "modified" can follow the undo position.
  uint64_t position() const { return undo_.empty() ? 0 : undo_.back().id; }

  void clear();  // forgets all edits (e.g. when another label map is loaded); closes an open edit
  std::size_t memoryBytes() const { return heldBytes_; }  // compressed differences held
  std::size_t memoryLimit() const { return memoryLimit_; }
  std::size_t undoCount() const { return undo_.size(); }
  std::size_t redoCount() const { return redo_.size(); }

 private:
  struct SliceDiff {
    int64_t z = 0;
    std::size_t offset = 0;  // the XOR's bytes [offset, offset + length) of the slice hold every change
    std::size_t length = 0;
    std::vector<uint8_t> compressedXor;
  };
  struct Entry {
    uint64_t id = 0;
    std::any before, after;
    std::string description;
    Size3 size{0, 0, 0};
    PixelType type = PixelType::UInt8;
    std::vector<SliceDiff> slices;  // increasing z
    std::size_t bytes = 0;
  };

  void checkCompatible(const Entry& entry, const LabelMap& labels) const;
  IndexBox apply(const Entry& entry, LabelMap& labels);
  void dropOldestBeyondLimit();

  std::size_t memoryLimit_;
  uint64_t nextId_ = 1;
  std::size_t heldBytes_ = 0;
  std::deque<Entry> undo_;  // oldest first
  std::vector<Entry> redo_;  // next redo last

  // The open edit: the map's shape and the bytes of each touched slice before the change.
  bool open_ = false;
  Entry pending_;
  std::size_t sliceBytes_ = 0;
  std::vector<std::vector<uint8_t>> before_;  // indexed by z; empty until touched
};

}  // namespace protolabel::core
