#pragma once
// Atomic file replacement: write into a hidden temporary file in the target's folder, then rename it
// over the target. A failed or interrupted write leaves the old file (or nothing) in place.
#include <functional>
#include <string>
#include <vector>

namespace protolabel::core {

// Refuses targets that are folders, that sit in a missing folder, or that are one of `protectedPaths`.
void checkWriteTarget(const std::string& target, const std::vector<std::string>& protectedPaths);

// A write staged beside its target: the constructor calls `write(tempPath)` with a temporary path
// that keeps the target's file name (so extension-based format selection still works), then forces
// the bytes to disk (fsync); commit() renames it onto `target`. Destroyed uncommitted, it removes the
// temporary, so a failed write leaves the old file (or nothing) and no debris. Formats that write a
// header plus a data file (.mhd, .nhdr) are staged in a temporary folder and moved data-first,
// header-last. Temporaries left by killed processes in the target's folder are removed first.
class StagedWrite {
 public:
  StagedWrite(const std::string& target, const std::function<void(const std::string&)>& write);
  ~StagedWrite();
  StagedWrite(const StagedWrite&) = delete;
  StagedWrite& operator=(const StagedWrite&) = delete;
  void commit();

 private:
  std::string target_, temp_;
  bool folder_ = false, committed_ = false;
};

// StagedWrite(target, write).commit().
void writeAtomically(const std::string& target, const std::function<void(const std::string&)>& write);

// Removes `.protolabel-tmp-PID-...` entries in `folder` whose process is gone (killed mid-write).
void removeStaleTemporaries(const std::string& folder);

// Writes `text` into `file` and checks it arrived whole (stream state and size); `target` names the
// file in the error. For StagedWrite's writer.
void writeCheckedText(const std::string& file, const std::string& text, const std::string& target);

// Writes `text` to `target` atomically; the write is checked (size and stream state).
void writeTextAtomically(const std::string& target, const std::string& text);

}  // namespace protolabel::core
