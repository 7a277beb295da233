#pragma once
// Autosaved labels, one set per source image, so that a crash never loses the user's work: the
// application writes here every minute and after each segmentation run, removes the entry after a
// clean save or quit, and offers the entries it finds at the next start.
#include <cstdint>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

struct RecoveryEntry {
  std::string sourcePath;  // the image the labels belong to
  std::string labelPath;   // the autosaved label map (with its label description beside it)
  int64_t savedAtSeconds = 0;  // seconds since the epoch
};

class RecoveryStore {
 public:
  explicit RecoveryStore(std::string folder);
  const std::string& folder() const { return folder_; }

  // Writes the labels of `sourcePath` atomically; returns the label file. Throws core::Error.
  // Takes the labels by value so the GUI can hand a snapshot to a worker thread.
  std::string save(const LabelMap& labels, const std::string& sourcePath);
  std::vector<RecoveryEntry> entries() const;
  // Drops the autosave of `sourcePath` (after the user saved or discarded the labels).
  void remove(const std::string& sourcePath);

 private:
  std::string stemFor(const std::string& sourcePath) const;
  std::string folder_;
};

}  // namespace protolabel::core
