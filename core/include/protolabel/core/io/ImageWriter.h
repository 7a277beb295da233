#pragma once
// Writing volumes atomically (temporary file in the target folder, then rename).
#include <string>
#include <vector>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

struct WriteOptions {
  bool compress = true;
  // Files that must never be replaced (the source image). Writing onto one is refused.
  std::vector<std::string> protectedPaths;
};

// Writes .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd, chosen by the extension.
void writeImage(const Volume& volume, const std::string& path, const WriteOptions& options = {});

// Refuses (core::Error) a target that is a folder, sits in a missing folder or is one of the
// protected paths: commands check their outputs before long work.
void checkOutputPath(const std::string& path, const WriteOptions& options);

// True when the extension names a format writeImage supports.
bool isWritableImagePath(const std::string& path);

}  // namespace protolabel::core
