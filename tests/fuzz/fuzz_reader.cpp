// libFuzzer harness: the input bytes as one file of a format, read exactly as the application reads
// it. Bad input must end in core::Error; anything else (a crash, a sanitizer report, another
// exception, an allocation beyond -malloc_limit_mb) is a finding. PROTOLABEL_FUZZ_FORMAT selects the
// reader: nii, nrrd, mha, dcm (images), seg_nrrd (a Slicer segmentation), dcm_seg (a DICOM Segmentation,
// through DCMTK, onto the grid its frames describe), label_txt (ITK-SNAP labels), dcm_inprocess (a
// DICOM file as dcm, with the helper process's scan run in this process: fuzz_dcm starts a helper
// for every input and manages a few a second, this one hundreds).
//
// The readers are built with GCC (Debian's ITK headers refuse clang), which has no coverage
// instrumentation libFuzzer reads; the harness reports its own features instead: which outcome an
// input had (the error code, or success) and, per outcome, the input's size class. So the fuzzer keeps
// inputs that reach new refusals or loads, and mutates from there.
#include <sanitizer/asan_interface.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "../../core/src/io/DicomScanWork.h"
#include "../../core/src/io/DicomVolumeRead.h"
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
  if (kFormat == "dcm_seg" || kFormat == "dcm_inprocess") return ".dcm";
  return "." + kFormat;
}

// One file per process in memory-backed /dev/shm, rewritten for every input.
const std::string& inputPath() {
  static const std::string path = "/dev/shm/protolabel-fuzz-" + std::to_string(getpid()) + suffix();
  return path;
}

// Debian's GDCM asserts on damaged files: in the helper's half that ends the helper, which the program
// reports as a damaged file, so here it jumps back instead of ending the fuzzer. A sanitizer report
// aborts too (abort_on_error): that one goes on to the fuzzer as the finding it is.
sigjmp_buf helperAborted;
void onHelperAbort(int) {
  if (__asan_report_present()) {
    ::signal(SIGABRT, SIG_DFL);
    ::raise(SIGABRT);
  }
  siglongjmp(helperAborted, 1);
}

// The helper's address space is bounded to what it had mapped + twice the file + 1 GiB (CrashIsolation.cpp),
// so GDCM's allocation of what a damaged element declares throws bad_alloc there and the file is
// refused. A sanitizer build cannot set that bound; operator new below refuses the same way one
// allocation beyond twice the file + 16 MiB. Tighter than the helper's, to keep the fuzzer fast
// (zeroing what damaged headers declare took most of its time); the helper needs no more than a few
// times the file to scan it. 0: no bound (the in-process half is never bounded).
size_t helperAllocationBound = 0;
// GDCM catches the refusal and carries on; the helper then refuses the file for the memory its read
// took (CrashIsolation.cpp), which this flag stands for.
bool helperAllocationRefused = false;

// The helper's half: its outcomes as the helper reports them (an Error, a refused allocation, any
// other exception, an abort: each a refusal the program shows).
bool scanAsTheHelper(std::vector<protolabel::core::DicomSeriesInfo>& series, size_t size) {
  struct sigaction jump {}, previous{};
  jump.sa_handler = onHelperAbort;
  ::sigaction(SIGABRT, &jump, &previous);
  bool scanned = false;
  if (sigsetjmp(helperAborted, 1) != 0) {
    reach(kOutcomes - 5, size);
  } else {
    helperAllocationBound = 2 * size + (size_t{16} << 20);
    helperAllocationRefused = false;
    try {
      series = protolabel::core::scanFilesUnsafe({inputPath()});
      if (helperAllocationRefused) throw std::bad_alloc();
      scanned = true;
    } catch (const protolabel::core::Error& e) {
      reach(int(e.code()), size);
    } catch (const std::bad_alloc&) {
      reach(kOutcomes - 2, size);
    } catch (const std::exception&) {
      reach(kOutcomes - 3, size);
    }
  }
  helperAllocationBound = 0;
  ::sigaction(SIGABRT, &previous, nullptr);
  return scanned;
}

// What readImage does with a DICOM file, both halves in this process; the in-process half (what the
// program itself runs) must end in Error or a volume.
void readDicomInProcess(size_t size) {
  std::vector<protolabel::core::DicomSeriesInfo> series;
  if (!scanAsTheHelper(series, size)) return;
  if (series.size() != 1) return reach(kOutcomes - 6, size);
  try {
    std::vector<std::string> warnings;
    protolabel::core::readDicomSeriesVolume(series.front(), warnings);
    reach(kOutcomes - 1, size);
  } catch (const protolabel::core::Error& e) {
    reach(kOutcomes / 2 + int(e.code()), size);
  }
}

}  // namespace

#ifdef PROTOLABEL_FUZZ_BOUNDED_NEW
// The new and delete of this executable (they take precedence over the sanitizer runtime's): plain
// malloc and free, with the helper's bound. Every non-aligned form is replaced, so the pairs match.
void* operator new(size_t bytes) {
  if (helperAllocationBound != 0 && bytes > helperAllocationBound) {
    helperAllocationRefused = true;
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(bytes ? bytes : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t bytes) { return operator new(bytes); }
void* operator new(size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return operator new(bytes);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](size_t bytes, const std::nothrow_t& tag) noexcept { return operator new(bytes, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  __sanitizer_cov_8bit_counters_init(features, features + sizeof features);
  // readImage's first step silences GDCM's console traces, as the helper does before its scan.
  try {
    protolabel::core::readImage("/nonexistent/protolabel-fuzz");
  } catch (const protolabel::core::Error&) {
  }
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
  if (kFormat == "dcm_inprocess") {
    readDicomInProcess(size);
    return 0;
  }
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
