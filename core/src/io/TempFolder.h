#pragma once
#include <memory>
#include <string>

namespace protolabel::core {

// A private folder under the system temporary directory, removed with everything in it when the
// last shared_ptr to it goes away.
class TempFolder {
 public:
  static std::shared_ptr<TempFolder> create(const std::string& purpose);
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TempFolder(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace protolabel::core
