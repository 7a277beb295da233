#include "AtomicWrite.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "FileChecks.h"
#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

std::string uniqueTag() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool isDetachedHeaderFormat(const std::string& path) {
  const std::string p = lowercase(path);
  return endsWith(p, ".mhd") || endsWith(p, ".nhdr");
}

}  // namespace

void checkWriteTarget(const std::string& target, const std::vector<std::string>& protectedPaths) {
  std::error_code ec;
  const fs::path path(target);
  if (fs::is_directory(path, ec))
    throw Error(ErrorCode::IsDirectory, target + " is a folder; give a file name to write to.", target);
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec))
    throw Error(ErrorCode::FileNotFound, "The folder " + folder.string() + " does not exist.", target);
  for (const std::string& source : protectedPaths) {
    if (source.empty()) continue;
    const bool same = fs::exists(path, ec) && fs::exists(source, ec) ? fs::equivalent(path, source, ec)
                                                                      : fs::weakly_canonical(path, ec) ==
                                                                            fs::weakly_canonical(source, ec);
    if (same)
      throw Error(ErrorCode::WouldOverwriteSource,
                  "Refusing to overwrite the source image " + source + "; choose another output file.", target);
  }
}

namespace {

// Forces a file's bytes to the disk: a full disk or a failing device shows here, not after the rename.
void syncFile(const fs::path& file, const std::string& target) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) throw Error(ErrorCode::WriteFailed, "Cannot write " + target + ": the temporary file vanished", target);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) throw Error(ErrorCode::WriteFailed, "Cannot write " + target + ": " + std::strerror(error), target);
}

}  // namespace

void removeStaleTemporaries(const std::string& folder) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string prefix = ".protolabel-tmp-";
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    // Only what a dead process left: a live one (this one too) may be writing it right now.
    if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH) fs::remove_all(it->path(), ec);
  }
}

StagedWrite::StagedWrite(const std::string& target, const std::function<void(const std::string&)>& write)
    : target_(target), folder_(isDetachedHeaderFormat(target)) {
  const fs::path path(target);
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  removeStaleTemporaries(folder.string());
  const std::string tag = uniqueTag();
  std::error_code ec;
  if (folder_) {
    temp_ = (folder / (".protolabel-tmp-" + tag)).string();
    fs::create_directory(temp_, ec);
    if (ec) throw Error(ErrorCode::WriteFailed, "Cannot write in " + folder.string() + ": " + ec.message(), target);
  } else {
    temp_ = (folder / (".protolabel-tmp-" + tag + "-" + path.filename().string())).string();
  }
  try {
    const fs::path written = folder_ ? fs::path(temp_) / path.filename() : fs::path(temp_);
    write(written.string());
    if (folder_) {
      for (const auto& entry : fs::directory_iterator(temp_)) syncFile(entry.path(), target);
    } else {
      syncFile(written, target);
    }
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(temp_, ec);
    throw Error(ErrorCode::WriteFailed, "Cannot write " + target + ": " + e.code().message(), target);
  } catch (...) {
    fs::remove_all(temp_, ec);
    throw;
  }
}

StagedWrite::~StagedWrite() {
  std::error_code ec;
  if (!committed_) fs::remove_all(temp_, ec);
}

void StagedWrite::commit() {
  const fs::path path(target_);
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  try {
    if (folder_) {
      // Data files first, the header last: the header only appears once its data is complete.
      for (const auto& entry : fs::directory_iterator(temp_))
        if (entry.path().filename() != path.filename()) fs::rename(entry.path(), folder / entry.path().filename());
      fs::rename(fs::path(temp_) / path.filename(), path);
      fs::remove_all(temp_, ec);
    } else {
      fs::rename(temp_, path);
    }
    committed_ = true;
  } catch (const fs::filesystem_error& e) {
    throw Error(ErrorCode::WriteFailed, "Cannot write " + target_ + ": " + e.code().message(), target_);
  }
}

void writeAtomically(const std::string& target, const std::function<void(const std::string&)>& write) {
  StagedWrite(target, write).commit();
}

void writeCheckedText(const std::string& file, const std::string& text, const std::string& target) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  std::error_code ec;
  if (!out || fs::file_size(file, ec) != text.size())
    throw Error(ErrorCode::WriteFailed, "Cannot write " + target + " (disk full or no permission?)", target);
}

void writeTextAtomically(const std::string& target, const std::string& text) {
  writeAtomically(target, [&](const std::string& temp) { writeCheckedText(temp, text, target); });
}

}  // namespace protolabel::core
