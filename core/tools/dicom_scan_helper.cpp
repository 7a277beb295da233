// protolabel-dicom-scan scan|probe|can-read < NUL-separated file names
// The helper process that parses DICOM headers for ProtoLabel (see core/src/io/CrashIsolation.h): a
// damaged file may abort it, never the program that asked.
#include "../src/io/CrashIsolation.h"

#if defined(__SANITIZE_ADDRESS__)
// A sanitizer build cannot bound its address space (CrashIsolation.cpp): a single allocation of more
// than 2 GiB ends the helper at once instead, which the program that asked reports as a damaged file.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=2048"; }
#endif

int main(int argc, char** argv) { return protolabel::core::runDicomHelper(argc, argv); }
