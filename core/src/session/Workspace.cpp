#include "protolabel/core/session/Workspace.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../io/AtomicWrite.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/WholeNumber.h"
#include "protolabel/core/io/LabelIO.h"

namespace protolabel::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "protolabel-workspace";
constexpr int kVersion = 1;

// Relative to the manifest's folder when `path` lies inside it; absolute otherwise.
std::string storedPath(const std::string& path, const fs::path& folder) {
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path), ec);
  const fs::path base = fs::weakly_canonical(fs::absolute(folder), ec);
  const fs::path relative = absolute.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return absolute.string();
}

std::string resolvedPath(const std::string& stored, const fs::path& folder) {
  const fs::path p(stored);
  return (p.is_absolute() ? p : folder / p).lexically_normal().string();
}

}  // namespace

std::string workspaceLabelsPathFor(const std::string& manifestPath) {
  fs::path p(manifestPath);
  p.replace_extension();
  return p.string() + ".labels.seg.nrrd";
}

void saveWorkspace(const AnnotationSession& session, const Workspace& view, const std::string& manifestPath) {
  if (!session.hasImage()) throw Error(ErrorCode::InvalidArgument, "there is no image to save a workspace of");
  const fs::path folder = fs::absolute(manifestPath).parent_path();
  const std::string labelsPath = workspaceLabelsPathFor(manifestPath);
  WriteOptions options;
  options.protectedPaths = {session.sourcePath()};
  checkWriteTarget(manifestPath, options.protectedPaths);
  writeLabelMap(session.labels(), session.image().geometry(), labelsPath, options);

  json examples = json::object();
  for (const auto& [label, slices] : session.supports()) examples[std::to_string(label)] = slices;
  json manifest = {
      {"format", kFormat},
      {"version", kVersion},
      {"image", storedPath(session.sourcePath(), folder)},
      {"labels", storedPath(labelsPath, folder)},
      {"examples", examples},
      {"example_axis", "axial"},
      {"cursor", view.cursor},
      {"active_label", view.activeLabel},
      {"panel", view.panel},
      {"layout", view.layout},
  };
  if (view.window) manifest["window"] = {{"level", view.window->level}, {"width", view.window->width}};
  writeTextAtomically(manifestPath, manifest.dump(2) + "\n");
}

Workspace readWorkspace(const std::string& manifestPath) {
  std::error_code ec;
  if (!fs::is_regular_file(manifestPath, ec))
    throw Error(ErrorCode::FileNotFound, "no workspace file at " + manifestPath, manifestPath);
  std::ifstream in(manifestPath, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const json manifest = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format", "") != kFormat)
    throw Error(ErrorCode::CorruptFile, manifestPath + " is not a ProtoLabel workspace", manifestPath);
  try {
    if (manifest.at("version").get<int>() > kVersion)
      throw Error(ErrorCode::UnsupportedFormat, manifestPath + " was written by a newer ProtoLabel", manifestPath);
    const fs::path folder = fs::absolute(manifestPath).parent_path();
    Workspace w;
    w.imagePath = resolvedPath(manifest.at("image").get<std::string>(), folder);
    w.labelsPath = resolvedPath(manifest.at("labels").get<std::string>(), folder);
    const json examples = manifest.value("examples", json::object());  // items() must not outlive it
    for (const auto& [label, slices] : examples.items()) {
      const std::optional<int64_t> value = parseWholeNumber(label, 1, 65535);
      if (!value) throw Error(ErrorCode::CorruptFile, manifestPath + ": '" + label + "' is not a label value", manifestPath);
      w.examples[uint16_t(*value)] = slices.get<std::set<int64_t>>();
    }
    if (manifest.contains("window"))
      w.window = Window{manifest["window"].at("width").get<double>(), manifest["window"].at("level").get<double>()};
    if (manifest.contains("cursor")) w.cursor = manifest["cursor"].get<std::array<int64_t, 3>>();
    w.activeLabel = manifest.value("active_label", uint16_t{1});
    w.panel = manifest.value("panel", 0);
    w.layout = manifest.value("layout", std::string());
    return w;
  } catch (const json::exception& e) {
    throw Error(ErrorCode::CorruptFile, manifestPath + " is a damaged workspace: " + e.what(), manifestPath);
  }
}

}  // namespace protolabel::core
