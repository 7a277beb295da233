#pragma once
// Reading images: NIfTI, NRRD, MetaImage and DICOM (series folders, single or multi-frame files,
// gzipped or not), always through ITK and GDCM.
#include <optional>
#include <string>
#include <vector>

#include "protolabel/core/Volume.h"
#include "protolabel/core/io/DicomSeries.h"

namespace protolabel::core {

struct ReadOptions {
  // Which DICOM series to load when the path holds several: by index into scanDicomSeries() or by
  // id. With neither, a path holding several series is refused with ErrorCode::AmbiguousSeries.
  std::optional<int> seriesIndex;
  std::string seriesId;
  // NaN or infinite voxels are refused unless this is set; then they become the lowest finite value.
  bool replaceNonFinite = false;
};

struct LoadedImage {
  Volume volume;
  std::string sourcePath;
  std::vector<std::string> warnings;      // things the user should know (4D input, permissive reads)
  std::vector<DicomSeriesInfo> series;    // every series found (DICOM only)
  int seriesIndex = -1;                   // which of them was loaded
  double dicomWindowCenter = 0, dicomWindowWidth = 0;  // the series' display window; width 0 if none
};

// Throws core::Error with a code for every kind of bad input.
LoadedImage readImage(const std::string& path, const ReadOptions& options = {});

// True when `path` names something the DICOM reader should handle (a folder or a DICOM file).
bool isDicomPath(const std::string& path);

}  // namespace protolabel::core
