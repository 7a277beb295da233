#pragma once
// A workspace: the whole annotation session in one `.protolabel` file, a small JSON manifest that
// names the image and a label file written beside it (`NAME.labels.seg.nrrd`, which keeps names and
// colours), plus the examples, window/level, cursor and layout. Paths inside the manifest are
// relative to its folder when the files lie below it, so a folder of image + workspace can be moved.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "protolabel/core/display/WindowPresets.h"
#include "protolabel/core/session/AnnotationSession.h"

namespace protolabel::core {

struct Workspace {
  std::string imagePath;   // absolute after reading
  std::string labelsPath;  // absolute after reading
  std::map<uint16_t, std::set<int64_t>> examples;  // label -> axial example slices
  std::optional<Window> window;
  std::array<int64_t, 3> cursor{0, 0, 0};
  uint16_t activeLabel = 1;
  int panel = 0;           // the side panel's open tab
  std::string layout;      // the window's arrangement, opaque to core (the viewer's own encoding)
};

inline constexpr const char* kWorkspaceExtension = ".protolabel";

// The label file written beside a workspace manifest.
std::string workspaceLabelsPathFor(const std::string& manifestPath);

// Writes the session's labels beside `manifestPath`, then the manifest (each atomically; the source
// image is never written). `view` carries what the viewer shows (window, cursor, panel); its paths
// are ignored. Throws core::Error (WriteFailed, WouldOverwriteSource, InvalidArgument without an image).
void saveWorkspace(const AnnotationSession& session, const Workspace& view, const std::string& manifestPath);

// Reads a manifest (not the image or labels). Throws core::Error: FileNotFound, CorruptFile (not
// JSON, not a workspace, a newer format version, fields of the wrong type).
Workspace readWorkspace(const std::string& manifestPath);

}  // namespace protolabel::core
