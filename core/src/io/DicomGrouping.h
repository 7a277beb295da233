#pragma once
// Groups DICOM files into series and orders each series along its slice normal, from the header
// fields GDCM's Scanner reads (it stops before the pixel data, so this is cheap).
#include <string>
#include <vector>

#include "protolabel/core/io/DicomSeries.h"

namespace protolabel::core {

// Files that are not DICOM images (no rows/columns: reports, RT plans, DICOMDIRs) are ignored.
// Series come back with id, UIDs, number, description, modality, rows, columns and sorted files;
// `frames` is left at 1 (the caller reads it from the first file's full header).
std::vector<DicomSeriesInfo> groupDicomSeries(const std::vector<std::string>& files);

}  // namespace protolabel::core
