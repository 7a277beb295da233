#pragma once
// Label surfaces as binary STL files, one per label, in physical LPS millimetres. The STL header starts
// with "SPACE=LPS", which 3D Slicer reads to place the mesh in the right coordinate system.
#include <cstdint>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/surface/LabelSurfaces.h"

namespace protolabel::core {

// `<baseName>_<value>_<label name>.stl`, the name reduced to letters, digits, '-' and '_'.
std::string labelMeshFileName(const std::string& baseName, uint16_t value, const std::string& labelName);

// Writes `surface` as a binary STL file (atomically: a failed write leaves no partial file).
void writeStl(const LabelSurface& surface, const std::string& path, const std::string& description = {});

// Extracts and writes one STL per label of `values` present in `labels` (empty: every label present);
// requested values absent from the map are skipped. Returns the written paths. Throws Error when the
// folder is missing or not writable, or when none of the requested labels is in the map.
std::vector<std::string> writeLabelMeshes(const LabelMap& labels, const std::string& outputFolder,
                                          const std::string& baseName, const std::vector<uint16_t>& values = {},
                                          const SurfaceOptions& options = {});

}  // namespace protolabel::core
