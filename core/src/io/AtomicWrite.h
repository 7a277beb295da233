#pragma once
// Atomic file replacement: write into a hidden temporary file in the target's folder, then rename it
// over the target. A failed or interrupted write leaves the old file (or nothing) in place.
#include <functional>
#include <string>
#include <vector>

namespace protolabel::core {

// Refuses targets that are folders, that sit in a missing folder, or that are one of `protectedPaths`.
void checkWriteTarget(const std::string& target, const std::vector<std::string>& protectedPaths);

// Calls `write(tempPath)` with a temporary path that keeps the target's file name (so extension-based
// format selection still works), then renames it onto `target`. Formats that write a header plus a
// data file (.mhd, .nhdr) are written into a temporary folder and moved data-first, header-last.
void writeAtomically(const std::string& target, const std::function<void(const std::string&)>& write);

// Writes `text` to `target` atomically.
void writeTextAtomically(const std::string& target, const std::string& text);

}  // namespace protolabel::core
