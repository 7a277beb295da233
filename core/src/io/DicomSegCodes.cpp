// The colour and code tables of DICOM SEG segments (no DCMTK here).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "protolabel/core/io/DicomSeg.h"

namespace protolabel::core {

namespace {

// sRGB (D65) <-> CIE 1976 L*a*b*, as PS3.3 C.10.7.1.1 and DCMTK's IODCIELabUtil do it.
constexpr double kWhite[3] = {0.950456, 1.0, 1.088754};
constexpr double kDelta = 6.0 / 29.0;

double toLinear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
double fromLinear(double c) { return c <= 0.0031308 ? c * 12.92 : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055; }
double labF(double t) { return t > kDelta * kDelta * kDelta ? std::cbrt(t) : t / (3 * kDelta * kDelta) + 4.0 / 29.0; }
double labFInverse(double t) { return t > kDelta ? t * t * t : 3 * kDelta * kDelta * (t - 4.0 / 29.0); }

uint16_t toUInt16(double x) { return static_cast<uint16_t>(std::lround(std::clamp(x, 0.0, 65535.0))); }
uint8_t toByte(double x) { return static_cast<uint8_t>(std::lround(std::clamp(x, 0.0, 1.0) * 255.0)); }

struct Organ {
  const char* name;  // lower case, words separated by single spaces
  const char* code;
  const char* meaning;
};

// SNOMED CT codes of organs a label map commonly holds (TotalSegmentator's and the benchmarks' names).
constexpr Organ kOrgans[] = {
    {"liver", "10200004", "Liver"},
    {"spleen", "78961009", "Spleen"},
    {"kidney", "64033007", "Kidney"},
    {"gallbladder", "28231008", "Gallbladder"},
    {"stomach", "69695003", "Stomach"},
    {"pancreas", "15776009", "Pancreas"},
    {"adrenal gland", "23451007", "Adrenal gland"},
    {"esophagus", "32849002", "Esophagus"},
    {"oesophagus", "32849002", "Esophagus"},
    {"duodenum", "38848004", "Duodenum"},
    {"small bowel", "30315005", "Small intestine"},
    {"small intestine", "30315005", "Small intestine"},
    {"colon", "71854001", "Colon"},
    {"urinary bladder", "89837001", "Urinary bladder"},
    {"bladder", "89837001", "Urinary bladder"},
    {"prostate", "41216001", "Prostate"},
    {"aorta", "15825003", "Aorta"},
    {"heart", "80891009", "Heart"},
    {"lung", "39607008", "Lung"},
    {"trachea", "44567001", "Trachea"},
    {"brain", "12738006", "Brain"},
    {"spinal cord", "2748008", "Spinal cord"},
};

// "Kidney_Left", "left kidney", "kidney-left" -> words {"kidney", "left"}.
std::vector<std::string> words(const std::string& name) {
  std::vector<std::string> out;
  std::string word;
  for (char ch : name + " ") {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  return out;
}

}  // namespace

std::array<uint16_t, 3> rgbToDicomLab(const std::array<uint8_t, 3>& rgb) {
  const double r = toLinear(rgb[0] / 255.0), g = toLinear(rgb[1] / 255.0), b = toLinear(rgb[2] / 255.0);
  const double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  const double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
  const double fx = labF(x / kWhite[0]), fy = labF(y / kWhite[1]), fz = labF(z / kWhite[2]);
  const double L = 116 * fy - 16, A = 500 * (fx - fy), B = 200 * (fy - fz);
  return {toUInt16(L * 65535.0 / 100.0), toUInt16((A + 128) * 65535.0 / 255.0), toUInt16((B + 128) * 65535.0 / 255.0)};
}

std::array<uint8_t, 3> dicomLabToRgb(const std::array<uint16_t, 3>& lab) {
  const double L = lab[0] * 100.0 / 65535.0, A = lab[1] * 255.0 / 65535.0 - 128, B = lab[2] * 255.0 / 65535.0 - 128;
  const double fy = (L + 16) / 116, fx = fy + A / 500, fz = fy - B / 200;
  const double x = kWhite[0] * labFInverse(fx), y = kWhite[1] * labFInverse(fy), z = kWhite[2] * labFInverse(fz);
  const double r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const double g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z;
  const double b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return {toByte(fromLinear(r)), toByte(fromLinear(g)), toByte(fromLinear(b))};
}

SegPropertyCodes segPropertyCodesFor(const std::string& labelName) {
  SegPropertyCodes codes;
  codes.category = {"123037004", "SCT", "Anatomical Structure"};
  codes.type = {"85756007", "SCT", "Tissue"};
  std::vector<std::string> w = words(labelName);
  std::optional<SegCode> side;
  for (auto it = w.begin(); it != w.end();) {
    if (*it == "left" || *it == "right") {
      if (side) return codes;  // "left right ..." names nothing we know
      side = *it == "left" ? SegCode{"7771000", "SCT", "Left"} : SegCode{"24028007", "SCT", "Right"};
      it = w.erase(it);
    } else {
      ++it;
    }
  }
  std::string joined;
  for (const std::string& word : w) joined += (joined.empty() ? "" : " ") + word;
  for (const Organ& organ : kOrgans) {
    if (joined != organ.name) continue;
    codes.type = {organ.code, "SCT", organ.meaning};
    codes.modifier = side;
    return codes;
  }
  return codes;
}

}  // namespace protolabel::core
