#include "protolabel/core/io/MeshExport.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "AtomicWrite.h"
#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

static_assert(sizeof(float) == 4, "STL stores IEEE 754 single precision floats");

// STL is little-endian.
void putUInt32(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = char((v >> (8 * i)) & 0xff);
}
void putFloat(char* out, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  putUInt32(out, bits);
}

std::string sanitised(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    const bool keep = std::isalnum(c) || c == '-' || c == '_';
    if (keep)
      out += char(c);
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "label" : out;
}

void checkOutputFolder(const std::string& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec))
    throw Error(ErrorCode::FileNotFound, "The folder " + folder + " does not exist.", folder);
  if (!fs::is_directory(folder, ec))
    throw Error(ErrorCode::InvalidArgument, folder + " is not a folder; choose a folder for the meshes.", folder);
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw Error(ErrorCode::PermissionDenied, "No permission to write in the folder " + folder + ".", folder);
}

}  // namespace

std::string labelMeshFileName(const std::string& baseName, uint16_t value, const std::string& labelName) {
  return baseName + "_" + std::to_string(value) + "_" + sanitised(labelName) + ".stl";
}

void writeStl(const LabelSurface& surface, const std::string& path, const std::string& description) {
  const std::size_t triangles = surface.triangleCount();
  std::string bytes(84 + 50 * triangles, '\0');
  std::string header = "SPACE=LPS";
  if (!description.empty()) header += " " + description;
  header.resize(80, ' ');
  std::memcpy(&bytes[0], header.data(), 80);
  putUInt32(&bytes[80], uint32_t(triangles));

  const auto point = [&](uint32_t i) { return &surface.points[std::size_t(i) * 3]; };
  char* out = &bytes[84];
  for (std::size_t t = 0; t < triangles; ++t, out += 50) {
    const float* a = point(surface.triangles[t * 3]);
    const float* b = point(surface.triangles[t * 3 + 1]);
    const float* c = point(surface.triangles[t * 3 + 2]);
    // Facet normal from the counter-clockwise winding.
    const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    const double length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    for (double& x : n) x = length > 0 ? x / length : 0;
    for (int i = 0; i < 3; ++i) putFloat(out + 4 * i, float(n[i]));
    for (int i = 0; i < 3; ++i) putFloat(out + 12 + 4 * i, a[i]);
    for (int i = 0; i < 3; ++i) putFloat(out + 24 + 4 * i, b[i]);
    for (int i = 0; i < 3; ++i) putFloat(out + 36 + 4 * i, c[i]);
    // The last 2 bytes (attribute byte count) stay 0.
  }

  writeAtomically(path, [&](const std::string& temp) {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), std::streamsize(bytes.size()));
    file.flush();
    if (!file)
      throw Error(ErrorCode::WriteFailed, "Cannot write " + path + " (disk full or no permission?)", path);
  });
}

std::vector<std::string> writeLabelMeshes(const LabelMap& labels, const std::string& outputFolder,
                                          const std::string& baseName, const std::vector<uint16_t>& values,
                                          const SurfaceOptions& options) {
  checkOutputFolder(outputFolder);
  std::vector<uint16_t> wanted = values;
  if (wanted.empty())
    for (const auto& [value, count] : labels.histogram()) wanted.push_back(value);
  if (wanted.empty())
    throw Error(ErrorCode::InvalidArgument, "The label map has no labels: there is no surface to export.");

  const std::vector<LabelSurface> surfaces = extractLabelSurfaces(labels, wanted, options);
  if (surfaces.empty())
    throw Error(ErrorCode::InvalidArgument, "None of the requested labels is in the label map: nothing to export.");

  const LabelTable table = labels.completeTable();
  std::vector<std::string> paths;
  for (const LabelSurface& surface : surfaces) {
    const LabelEntry* entry = table.find(surface.value);
    const std::string name = entry ? entry->name : "Label " + std::to_string(surface.value);
    const std::string path = (fs::path(outputFolder) / labelMeshFileName(baseName, surface.value, name)).string();
    writeStl(surface, path, "label " + std::to_string(surface.value) + " " + name);
    paths.push_back(path);
  }
  return paths;
}

}  // namespace protolabel::core
