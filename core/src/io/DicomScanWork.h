#pragma once
// The DICOM work that may abort on damaged files, run only inside the helper process
// (CrashIsolation.h), and the text form its results take across the process boundary.
#include <string>
#include <vector>

#include "protolabel/core/io/DicomSeries.h"

namespace protolabel::core {

// Groups the files into series and reads each series' first file in full (largest series first).
std::vector<DicomSeriesInfo> scanFilesUnsafe(const std::vector<std::string>& files);
// "yes" when GDCM reads the file's image header, "no" when it is not a DICOM image.
std::string probeImageUnsafe(const std::string& file);
// "yes" when GDCM recognises the file as DICOM.
std::string canReadUnsafe(const std::string& file);

std::string serializeSeries(const std::vector<DicomSeriesInfo>& list);
std::vector<DicomSeriesInfo> deserializeSeries(const std::string& text);

}  // namespace protolabel::core
