#pragma once
// The in-process half of opening DICOM: the voxels of one series the helper process has already
// scanned (DicomScanWork.h). readImage uses it; the in-process DICOM fuzz harness calls it directly
// after scanFilesUnsafe, so both halves run a million times without a process per input.
#include <string>
#include <vector>

#include "protolabel/core/Volume.h"
#include "protolabel/core/io/DicomSeries.h"

namespace protolabel::core {

// Reads `info`'s files into a volume on their grid; damaged or implausible pixel data throws Error.
Volume readDicomSeriesVolume(const DicomSeriesInfo& info, std::vector<std::string>& warnings);

}  // namespace protolabel::core
