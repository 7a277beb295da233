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

}  // namespace protolabel::core
