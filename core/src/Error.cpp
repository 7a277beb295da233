#include "protolabel/core/Error.h"

namespace protolabel::core {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::FileNotFound: return "file-not-found";
    case ErrorCode::PermissionDenied: return "permission-denied";
    case ErrorCode::IsDirectory: return "is-directory";
    case ErrorCode::UnsupportedFormat: return "unsupported-format";
    case ErrorCode::CorruptFile: return "corrupt-file";
    case ErrorCode::NoImageFound: return "no-image-found";
    case ErrorCode::AmbiguousSeries: return "ambiguous-series";
    case ErrorCode::SeriesNotFound: return "series-not-found";
    case ErrorCode::EmptyDimension: return "empty-dimension";
    case ErrorCode::NonFiniteVoxels: return "non-finite-voxels";
    case ErrorCode::TooLarge: return "too-large";
    case ErrorCode::GridMismatch: return "grid-mismatch";
    case ErrorCode::WouldOverwriteSource: return "would-overwrite-source";
    case ErrorCode::WriteFailed: return "write-failed";
    case ErrorCode::InvalidArgument: return "invalid-argument";
  }
  return "unknown";
}

}  // namespace protolabel::core
