#include "DicomLengthCheck.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

constexpr uint32_t kUndefined = 0xFFFFFFFFu;
// Declarations up to this size are left to GDCM: allocating them is harmless.
constexpr uint64_t kHarmless = uint64_t{16} << 20;

uint16_t u16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t u32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// VRs whose explicit encoding has two reserved bytes and a 4-byte length.
bool longExplicitVr(const unsigned char* vr) {
  for (const char* v : {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"})
    if (vr[0] == v[0] && vr[1] == v[1]) return true;
  return false;
}

bool shortExplicitVr(const unsigned char* vr) {
  for (const char* v : {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL", "SS",
                        "ST", "TM", "UI", "UL", "US"})
    if (vr[0] == v[0] && vr[1] == v[1]) return true;
  return false;
}

bool lettersVr(const unsigned char* vr) { return vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'; }

// How the parsers read a damaged explicit VR (as DCMTK reports it): an unknown VR of two letters
// with a 4-byte length, anything else with a 2-byte one. The walk follows them, not the standard.
bool longLengthField(const unsigned char* vr) {
  if (longExplicitVr(vr)) return true;
  if (shortExplicitVr(vr)) return false;
  return lettersVr(vr);
}

std::string tagName(uint16_t group, uint16_t element) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04X,%04X)", group, element);
  return text;
}

}  // namespace

void refuseImpossibleElementLengths(const std::string& file) {
  // Element headers only: values are skipped with seeks, so a large file costs a few reads.
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return;
  const uint64_t size = uint64_t(in.tellg());
  unsigned char head[12];
  in.seekg(128);
  if (size < 144 || !in.read(reinterpret_cast<char*>(head), 4) || std::string(reinterpret_cast<char*>(head), 4) != "DICM")
    return;
  uint64_t at = 132;
  bool explicitVr = true;  // the meta group is; its transfer syntax says how the data set is encoded
  int fragmentsDepth = 0;  // inside encapsulated pixel data, items hold raw bytes
  while (at + 8 <= size) {
    in.seekg(std::streamoff(at));
    if (!in.read(reinterpret_cast<char*>(head), std::streamsize(std::min<uint64_t>(12, size - at)))) in.clear();
    const uint16_t group = u16(head), element = u16(head + 2);
    const bool item = group == 0xFFFE;
    uint64_t length = 0, header = 8;
    if (item || (group != 2 && !explicitVr)) {
      length = u32(head + 4);
    } else {
      if (longLengthField(head + 4)) {
        if (at + 12 > size) return;
        length = u32(head + 8), header = 12;
      } else {
        length = u16(head + 6);
      }
    }
    at += header;
    if (group == 2 && element == 0x0010 && length < 128 && at + length <= size) {
      std::string syntax(std::size_t(length), '\0');
      in.seekg(std::streamoff(at));
      in.read(syntax.data(), std::streamsize(length));
      syntax = syntax.substr(0, syntax.find_first_of(std::string("\0 ", 2)));
      if (syntax == "1.2.840.10008.1.2") explicitVr = false;
      if (syntax == "1.2.840.10008.1.2.2" || syntax == "1.2.840.10008.1.2.1.99") return;  // big endian, deflated
    }
    if (length == kUndefined) {
      if (group == 0x7FE0 && element == 0x0010) ++fragmentsDepth;
      continue;  // a sequence, an item or encapsulated pixel data: the contents follow inline
    }
    if (length > size - at && length > kHarmless)
      throw Error(ErrorCode::CorruptFile,
                  file + " is damaged: its element " + tagName(group, element) + " declares " + std::to_string(length) +
                      " bytes but the file has only " + std::to_string(size - at) + " left.",
                  file);
    if (item && element == 0xE0DD && fragmentsDepth > 0) --fragmentsDepth;  // the fragments end
    // Items of a sequence hold data elements, walked inline; fragments hold raw bytes, skipped.
    if (!item || fragmentsDepth > 0 || element != 0xE000) at += length;
  }
}

}  // namespace protolabel::core
