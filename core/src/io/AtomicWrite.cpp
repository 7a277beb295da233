#include "AtomicWrite.h"

#include <unistd.h>

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

void writeAtomically(const std::string& target, const std::function<void(const std::string&)>& write) {
  const fs::path path(target);
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string tag = uniqueTag();
  std::error_code ec;

  if (isDetachedHeaderFormat(target)) {
    const fs::path tempFolder = folder / (".protolabel-tmp-" + tag);
    fs::create_directory(tempFolder, ec);
    if (ec) throw Error(ErrorCode::WriteFailed, "Cannot write in " + folder.string() + ": " + ec.message(), target);
    try {
      const fs::path tempHeader = tempFolder / path.filename();
      write(tempHeader.string());
      // Data files first, the header last: the header only appears once its data is complete.
      for (const auto& entry : fs::directory_iterator(tempFolder))
        if (entry.path().filename() != path.filename()) fs::rename(entry.path(), folder / entry.path().filename());
      fs::rename(tempHeader, path);
    } catch (const fs::filesystem_error& e) {
      fs::remove_all(tempFolder, ec);
      throw Error(ErrorCode::WriteFailed, "Cannot write " + target + ": " + e.code().message(), target);
    } catch (...) {
      fs::remove_all(tempFolder, ec);
      throw;
    }
    fs::remove_all(tempFolder, ec);
    return;
  }

  const fs::path temp = folder / (".protolabel-tmp-" + tag + "-" + path.filename().string());
  try {
    write(temp.string());
    fs::rename(temp, path);
  } catch (const fs::filesystem_error& e) {
    fs::remove(temp, ec);
    throw Error(ErrorCode::WriteFailed, "Cannot write " + target + ": " + e.code().message(), target);
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
}

void writeTextAtomically(const std::string& target, const std::string& text) {
  writeAtomically(target, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw Error(ErrorCode::WriteFailed, "Cannot write " + target + " (disk full or no permission?)", target);
  });
}

}  // namespace protolabel::core
