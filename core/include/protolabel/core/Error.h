#pragma once
// Typed errors for everything a user can hand the program: each carries a code the caller can act on
// and a message written for the person who chose the file.
#include <stdexcept>
#include <string>

namespace protolabel::core {

enum class ErrorCode {
  FileNotFound,
  PermissionDenied,
  IsDirectory,
  UnsupportedFormat,
  CorruptFile,
  NoImageFound,
  AmbiguousSeries,
  SeriesNotFound,
  EmptyDimension,
  NonFiniteVoxels,
  TooLarge,
  GridMismatch,
  WouldOverwriteSource,
  WriteFailed,
  InvalidArgument,
};

const char* errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, std::string path = {})
      : std::runtime_error(message), code_(code), path_(std::move(path)) {}

  ErrorCode code() const noexcept { return code_; }
  // The file or folder the error is about (may be empty).
  const std::string& path() const noexcept { return path_; }

 private:
  ErrorCode code_;
  std::string path_;
};

}  // namespace protolabel::core
