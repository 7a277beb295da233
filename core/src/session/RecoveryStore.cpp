#include "protolabel/core/session/RecoveryStore.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../io/AtomicWrite.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/LabelIO.h"

namespace protolabel::core {

namespace fs = std::filesystem;

namespace {

// FNV-1a: a stable file name per source path (std::hash may differ between builds).
std::string hashHex(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

}  // namespace

RecoveryStore::RecoveryStore(std::string folder) : folder_(std::move(folder)) {}

std::string RecoveryStore::stemFor(const std::string& sourcePath) const {
  return (fs::path(folder_) / ("autosave-" + hashHex(sourcePath))).string();
}

std::string RecoveryStore::save(const LabelMap& labels, const std::string& sourcePath) {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) throw Error(ErrorCode::WriteFailed, "cannot create the autosave folder " + folder_ + ": " + ec.message());
  const std::string stem = stemFor(sourcePath);
  const std::string labelPath = stem + ".nii.gz";
  WriteOptions options;
  options.protectedPaths = {sourcePath};
  writeLabelMap(labels, labels.geometry(), labelPath, options);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  // The source path last: a reader that finds it knows the label file beside it is complete.
  writeTextAtomically(stem + ".source", sourcePath + "\n" + std::to_string(now.count()) + "\n");
  return labelPath;
}

std::vector<RecoveryEntry> RecoveryStore::entries() const {
  std::vector<RecoveryEntry> out;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(folder_, ec)) {
    if (item.path().extension() != ".source") continue;
    std::ifstream in(item.path());
    RecoveryEntry e;
    std::getline(in, e.sourcePath);
    in >> e.savedAtSeconds;
    fs::path labels = item.path();
    labels.replace_extension(".nii.gz");
    e.labelPath = labels.string();
    if (!e.sourcePath.empty() && fs::is_regular_file(labels)) out.push_back(e);
  }
  return out;
}

void RecoveryStore::remove(const std::string& sourcePath) {
  const std::string stem = stemFor(sourcePath);
  std::error_code ec;
  for (const char* suffix : {".source", ".nii.gz", ".label.txt"}) fs::remove(stem + suffix, ec);
}

}  // namespace protolabel::core
