#include "FileChecks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "protolabel/core/Error.h"
#include "protolabel/core/SystemMemory.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {
void throwForErrno(int err, const std::string& path, const char* what) {
  if (err == EACCES || err == EPERM)
    throw Error(ErrorCode::PermissionDenied,
                "You do not have permission to read " + path + ". Check the file's permissions.", path);
  if (err == ENOENT) throw Error(ErrorCode::FileNotFound, "No such " + std::string(what) + ": " + path, path);
  throw Error(ErrorCode::CorruptFile, "Cannot open " + path + ": " + std::strerror(err), path);
}
}  // namespace

void requireReadableFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw Error(ErrorCode::FileNotFound, "No such file: " + path, path);
  if (fs::is_directory(status))
    throw Error(ErrorCode::IsDirectory, path + " is a folder, not an image file.", path);
  // open() rather than access(): it answers for the real process, root and ACLs included.
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throwForErrno(errno, path, "file");
  ::close(fd);
}

void requireReadableDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throwForErrno(errno, path, "folder");
  ::close(fd);
}

void requireFitsInMemory(uint64_t bytes, const std::string& path) {
  const uint64_t limit = spareMemoryBytes();
  if (bytes > limit)
    throw Error(ErrorCode::TooLarge,
                path + " needs " + std::to_string(bytes >> 20) + " MiB in memory, more than this machine can spare (" +
                    std::to_string(limit >> 20) + " MiB). Crop or downsample it first.",
                path);
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace protolabel::core
