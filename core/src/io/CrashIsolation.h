#pragma once
// Runs library code that may abort the process on malformed input (Debian's GDCM is built with
// assertions enabled) in a helper process, so a bad file becomes an error instead of a crash. The
// helper is a separate small executable (protolabel-dicom-scan) started with posix_spawn: nothing is
// forked from this multi-threaded process, so no lock held by another thread can hang the child.
#include <string>
#include <vector>

namespace protolabel::core {

struct IsolatedOutcome {
  enum class Status { Succeeded, Failed, Crashed } status;
  std::string output;  // what the work returned, or the message of what it threw
  int errorCode = -1;  // the core::ErrorCode it threw, if any
};

// What the helper does with its files (see DicomScanWork.h).
enum class HelperTask { ScanSeries, ProbeImage, CanRead };

// Runs `task` on `files` in the helper and returns its result. `timeoutSeconds` bounds a hung helper.
// Throws Error(FileNotFound) when the helper executable cannot be found.
IsolatedOutcome runIsolated(HelperTask task, const std::vector<std::string>& files, int timeoutSeconds = 120);

// The helper's own main(): reads the task from argv and the files from standard input, writes the
// outcome to standard output.
int runDicomHelper(int argc, char** argv);

}  // namespace protolabel::core
