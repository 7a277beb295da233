// protolabel-dicom-scan scan|probe|can-read < NUL-separated file names
// The helper process that parses DICOM headers for ProtoLabel (see core/src/io/CrashIsolation.h): a
// damaged file may abort it, never the program that asked.
#include "../src/io/CrashIsolation.h"

int main(int argc, char** argv) { return protolabel::core::runDicomHelper(argc, argv); }
