#include "protolabel/core/io/ItkSnapLabelFile.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "AtomicWrite.h"
#include "FileChecks.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {
const char* kHeader =
    "################################################\n"
    "# ITK-SnAP Label Description File\n"
    "# File format: \n"
    "# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL\n"
    "# Fields: \n"
    "#    IDX:   Zero-based index \n"
    "#    -R-:   Red color component (0..255)\n"
    "#    -G-:   Green color component (0..255)\n"
    "#    -B-:   Blue color component (0..255)\n"
    "#    -A-:   Label transparency (0.00 .. 1.00)\n"
    "#    VIS:   Label visibility (0 or 1)\n"
    "#    IDX:   Label mesh visibility (0 or 1)\n"
    "#  LABEL:   Label description \n"
    "################################################\n";

std::string escapeQuotes(const std::string& name) {
  std::string out;
  for (char c : name) out += (c == '"') ? '\'' : c;
  return out;
}
}  // namespace

std::string formatItkSnapLabels(const LabelTable& table) {
  std::ostringstream out;
  out << kHeader;
  char line[64];
  // ITK-SNAP always lists the clear label first.
  if (!table.find(0)) out << "    0     0    0    0        0  0  0    \"Clear Label\"\n";
  for (const LabelEntry& e : table.entries()) {
    std::snprintf(line, sizeof line, "%5d %5d %4d %4d %8.2f %2d %2d    ", e.value, e.color[0], e.color[1], e.color[2],
                  e.opacity, e.visible ? 1 : 0, e.meshVisible ? 1 : 0);
    out << line << '"' << escapeQuotes(e.name) << "\"\n";
  }
  return out.str();
}

LabelTable parseItkSnapLabels(const std::string& text) {
  LabelTable table;
  std::istringstream in(text);
  std::string line;
  int lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream fields(line);
    long value;
    int r, g, b, vis, mesh;
    double alpha;
    if (!(fields >> value >> r >> g >> b >> alpha >> vis >> mesh) || value < 0 || value > 65535)
      throw Error(ErrorCode::CorruptFile,
                  "Line " + std::to_string(lineNumber) + " of the label description is not `IDX R G B A VIS MSH \"LABEL\"`.");
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    LabelEntry e;
    e.value = static_cast<uint16_t>(value);
    e.name = (open != std::string::npos && close > open) ? line.substr(open + 1, close - open - 1) : "";
    auto clampByte = [](int c) { return static_cast<uint8_t>(c < 0 ? 0 : c > 255 ? 255 : c); };
    e.color = {clampByte(r), clampByte(g), clampByte(b)};
    e.opacity = alpha;
    e.visible = vis != 0;
    e.meshVisible = mesh != 0;
    if (e.value == 0) continue;  // the clear label is implicit
    table.set(e);
  }
  return table;
}

void writeItkSnapLabelFile(const LabelTable& table, const std::string& path) {
  checkWriteTarget(path, {});
  writeTextAtomically(path, formatItkSnapLabels(table));
}

LabelTable readItkSnapLabelFile(const std::string& path) {
  requireReadableFile(path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parseItkSnapLabels(text.str());
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what(), path);
  }
}

}  // namespace protolabel::core
