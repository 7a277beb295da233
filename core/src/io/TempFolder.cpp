#include "TempFolder.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

std::shared_ptr<TempFolder> TempFolder::create(const std::string& purpose) {
  std::string pattern = (fs::temp_directory_path() / ("protolabel-" + purpose + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data()))
    throw Error(ErrorCode::WriteFailed, "Cannot create a temporary folder in " + fs::temp_directory_path().string());
  return std::shared_ptr<TempFolder>(new TempFolder(buffer.data()));
}

TempFolder::~TempFolder() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace protolabel::core
