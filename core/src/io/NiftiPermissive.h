#pragma once
#include <string>

namespace protolabel::core {

// True for ITK's refusal of a NIfTI file whose orientation is not orthonormal.
bool isNonOrthonormalNiftiError(const std::string& itkMessage);

// Writes `source` as an uncompressed NIfTI in `folder` with its sform replaced by the nearest
// rotation (niftilib's polar decomposition) stored as the qform; returns the new path.
std::string writeOrthonormalizedNiftiCopy(const std::string& source, const std::string& folder);

}  // namespace protolabel::core
