#pragma once
// GDCM's JPEG 2000 codec trusts the lengths inside the compressed stream: to tell lossless from lossy
// it walks the stream's markers and boxes (parsej2k_imp, parsejp2_imp in gdcmJPEG2000Codec.cxx) past
// the end of a damaged fragment (a SEGV, found by fuzz_dcm_inprocess), and it asserts that a stream
// holds an end-of-codestream byte. Debian builds it with assertions on, and the program reads DICOM
// voxels in its own process, so such files are refused before GDCM decodes them.
#include <string>

namespace protolabel::core {

// Throws CorruptFile when `file` is JPEG 2000 compressed and a fragment (or the fragments joined, as
// GDCM decodes a single frame) would send GDCM's reading outside it. Other files pass untouched.
void refuseJpeg2000StreamsGdcmMisreads(const std::string& file);

// Whether `file`'s meta header names a JPEG 2000 transfer syntax (reads the header only).
bool isJpeg2000File(const std::string& file);

}  // namespace protolabel::core
