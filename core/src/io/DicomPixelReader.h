#pragma once
// Decodes the pixel data of a DICOM series (one frame per file, files already sorted) straight into
// a volume, several files at a time. ITK's series reader decodes file by file on one thread; this
// keeps ITK for the geometry and uses GDCM's decoders in parallel for the voxels.
#include <string>
#include <vector>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

// `volume` must be allocated with the series' grid (size x, y = columns, rows; z = file count).
// Applies each file's rescale slope and intercept. Throws CorruptFile for undecodable or truncated
// files and for files whose size differs from the first.
void decodeDicomSeriesPixels(const std::vector<std::string>& files, Volume& volume);

// What the checks below read from the pixel description on the way.
struct DicomPixelFacts {
  bool monochrome1 = false;  // the lowest value is meant to be displayed white
  // A single file of several frames or of colour pixels is read by ITK's GDCM reader (which turns
  // MONOCHROME1 into MONOCHROME2 and colour into grey); other files are decoded as a series' are.
  bool readThroughItk = false;
};

// Before anything is allocated for `file`: refuses (CorruptFile) pixel data that cannot hold what
// Rows, Columns, frames and bits announce (uncompressed data shorter than that, or compressed data
// more than a thousand times smaller), so a damaged header never claims gigabytes. For a file read
// through ITK (`singleFile` and readThroughItk), also refuses (UnsupportedFormat) the pixel format
// ITK's MONOCHROME1 conversion aborts the program on.
DicomPixelFacts requirePlausiblePixelData(const std::string& file, bool singleFile);

}  // namespace protolabel::core
