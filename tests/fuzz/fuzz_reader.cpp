// libFuzzer harness: the input bytes as one file of a format, read exactly as the application reads
// it. Bad input must end in core::Error; anything else (a crash, a sanitizer report, another
// exception, an allocation beyond -malloc_limit_mb) is a finding. PROTOLABEL_FUZZ_FORMAT selects the
// reader: nii, nrrd, mha, dcm (images), seg_nrrd (a Slicer segmentation), dcm_seg (a DICOM Segmentation,
// through DCMTK, onto the grid its frames describe), label_txt (ITK-SNAP labels).
//
// The readers are built with GCC (Debian's ITK headers refuse clang), which has no coverage
// instrumentation libFuzzer reads; the harness reports its own features instead: which outcome an
// input had (the error code, or success) and, per outcome, the input's size class. So the fuzzer keeps
// inputs that reach new refusals or loads, and mutates from there.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/DicomSeg.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/core/io/LabelIO.h"

extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t* start, uint8_t* stop);

namespace {

constexpr int kOutcomes = 64, kSizeClasses = 16;
uint8_t features[kOutcomes * kSizeClasses];

void reach(int outcome, size_t size) {
  int sizeClass = 0;
  while (size > 1 && sizeClass + 1 < kSizeClasses) size >>= 1, ++sizeClass;
  ++features[(outcome % kOutcomes) * kSizeClasses + sizeClass];
}

const std::string kFormat = PROTOLABEL_FUZZ_FORMAT;

std::string suffix() {
  if (kFormat == "seg_nrrd") return ".seg.nrrd";
  if (kFormat == "label_txt") return ".label.txt";
  if (kFormat == "dcm_seg") return ".dcm";
  return "." + kFormat;
}

// One file per process in memory-backed /dev/shm, rewritten for every input.
const std::string& inputPath() {
  static const std::string path = "/dev/shm/protolabel-fuzz-" + std::to_string(getpid()) + suffix();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  __sanitizer_cov_8bit_counters_init(features, features + sizeof features);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (kFormat == "label_txt") {
    try {
      const auto table = protolabel::core::parseItkSnapLabels(std::string(reinterpret_cast<const char*>(data), size));
      reach(kOutcomes - 1, table.entries().size());
    } catch (const protolabel::core::Error& e) {
      reach(int(e.code()), size);
    }
    return 0;
  }
  FILE* f = std::fopen(inputPath().c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    if (kFormat == "seg_nrrd") protolabel::core::readLabelMap(inputPath());
    else if (kFormat == "dcm_seg") protolabel::core::readDicomSeg(inputPath());
    else protolabel::core::readImage(inputPath());
    reach(kOutcomes - 1, size);
  } catch (const protolabel::core::Error& e) {
    reach(int(e.code()), size);
  }
  return 0;
}
