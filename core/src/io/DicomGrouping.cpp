#include "DicomGrouping.h"

#include <gdcmScanner.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace protolabel::core {

namespace {

const gdcm::Tag kSeriesUid(0x0020, 0x000e), kSeriesNumber(0x0020, 0x0011), kSequenceName(0x0018, 0x0024),
    kSliceThickness(0x0018, 0x0050), kRows(0x0028, 0x0010), kColumns(0x0028, 0x0011),
    kOrientation(0x0020, 0x0037), kPosition(0x0020, 0x0032), kInstanceNumber(0x0020, 0x0013),
    kDescription(0x0008, 0x103e), kModality(0x0008, 0x0060), kWindowCenter(0x0028, 0x1050),
    kWindowWidth(0x0028, 0x1051);

std::string trimmed(const char* value) {
  if (!value) return {};
  std::string s(value);
  const auto keep = [](unsigned char c) { return !std::isspace(c) && c != '\0'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), keep));
  s.erase(std::find_if(s.rbegin(), s.rend(), keep).base(), s.end());
  return s;
}

// Parses a backslash-separated decimal string (IOP, IPP); returns false unless `n` numbers are there.
template <std::size_t N>
bool parseNumbers(const std::string& text, std::array<double, N>& out) {
  std::istringstream in(text);
  std::string item;
  std::size_t i = 0;
  while (i < N && std::getline(in, item, '\\')) {
    char* end = nullptr;
    out[i] = std::strtod(item.c_str(), &end);
    if (end == item.c_str()) return false;
    ++i;
  }
  return i == N;
}

// The orientation, rounded so that floating-point noise between slices does not split a series.
std::string orientationKey(const std::string& iop) {
  std::array<double, 6> v{};
  if (!parseNumbers(iop, v)) return iop;
  std::string key;
  char text[32];
  for (double x : v) {
    std::snprintf(text, sizeof text, "%.3f,", std::abs(x) < 5e-4 ? 0.0 : x);
    key += text;
  }
  return key;
}

struct Slice {
  std::string file;
  double position = 0;  // along the normal
  bool hasPosition = false;
  long instance = 0;
};

}  // namespace

std::vector<DicomSeriesInfo> groupDicomSeries(const std::vector<std::string>& files) {
  gdcm::Scanner scanner;
  for (const gdcm::Tag& t : {kSeriesUid, kSeriesNumber, kSequenceName, kSliceThickness, kRows, kColumns, kOrientation,
                             kPosition, kInstanceNumber, kDescription, kModality, kWindowCenter, kWindowWidth})
    scanner.AddTag(t);
  scanner.Scan(files);

  // Group as ITK's GDCMSeriesFileNames does with series details, plus the orientation.
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::string> order;  // keys in order of first appearance
  for (const std::string& file : files) {
    if (!scanner.IsKey(file.c_str())) continue;
    const auto value = [&](const gdcm::Tag& t) { return trimmed(scanner.GetValue(file.c_str(), t)); };
    if (std::atoi(value(kRows).c_str()) <= 0 || std::atoi(value(kColumns).c_str()) <= 0) continue;
    const std::string key = value(kSeriesUid) + "|" + value(kSeriesNumber) + "|" + value(kSequenceName) + "|" +
                            value(kSliceThickness) + "|" + value(kRows) + "x" + value(kColumns) + "|" +
                            orientationKey(value(kOrientation));
    auto [it, added] = groups.try_emplace(key);
    if (added) order.push_back(key);
    it->second.push_back(file);
  }

  std::vector<DicomSeriesInfo> result;
  for (const std::string& key : order) {
    const std::vector<std::string>& members = groups[key];
    const auto value = [&](const std::string& file, const gdcm::Tag& t) {
      return trimmed(scanner.GetValue(file.c_str(), t));
    };
    // Sort along the normal of the first file's orientation; InstanceNumber breaks ties and orders
    // files without positions.
    std::array<double, 6> iop{};
    const bool haveNormal = parseNumbers(value(members.front(), kOrientation), iop);
    const std::array<double, 3> normal{iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5],
                                       iop[0] * iop[4] - iop[1] * iop[3]};
    std::vector<Slice> slices;
    for (const std::string& file : members) {
      Slice s;
      s.file = file;
      std::array<double, 3> ipp{};
      s.hasPosition = haveNormal && parseNumbers(value(file, kPosition), ipp);
      if (s.hasPosition) s.position = ipp[0] * normal[0] + ipp[1] * normal[1] + ipp[2] * normal[2];
      s.instance = std::atol(value(file, kInstanceNumber).c_str());
      slices.push_back(s);
    }
    const bool allPositioned = std::all_of(slices.begin(), slices.end(), [](const Slice& s) { return s.hasPosition; });
    std::stable_sort(slices.begin(), slices.end(), [&](const Slice& a, const Slice& b) {
      if (allPositioned && a.position != b.position) return a.position < b.position;
      if (a.instance != b.instance) return a.instance < b.instance;
      return a.file < b.file;
    });

    DicomSeriesInfo info;
    info.id = key;
    const std::string& first = slices.front().file;
    info.seriesInstanceUid = value(first, kSeriesUid);
    info.seriesNumber = value(first, kSeriesNumber);
    info.description = value(first, kDescription);
    info.modality = value(first, kModality);
    info.rows = std::atoi(value(first, kRows).c_str());
    info.columns = std::atoi(value(first, kColumns).c_str());
    // Multi-valued windows list alternatives; the first is the one the modality suggests first.
    info.windowCenter = std::atof(value(first, kWindowCenter).c_str());
    info.windowWidth = std::max(0.0, std::atof(value(first, kWindowWidth).c_str()));
    for (const Slice& s : slices) info.files.push_back(s.file);
    result.push_back(std::move(info));
  }
  return result;
}

}  // namespace protolabel::core
