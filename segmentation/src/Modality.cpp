#include "protolabel/segmentation/Modality.h"

#include <algorithm>
#include <cctype>

#include "protolabel/core/Error.h"
#include "protolabel/core/display/WindowPresets.h"

namespace protolabel::segmentation {

const char* modalityName(Modality modality) {
  switch (modality) {
    case Modality::Auto: return "auto";
    case Modality::CT: return "ct";
    case Modality::MR: return "mr";
  }
  return "auto";
}

Modality parseModality(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (lower == "auto") return Modality::Auto;
  if (lower == "ct") return Modality::CT;
  if (lower == "mr" || lower == "mri") return Modality::MR;
  throw core::Error(core::ErrorCode::InvalidArgument, "unknown modality '" + name + "' (use ct, mr or auto)");
}

Modality resolveModality(Modality requested, const core::Volume& volume, const std::string& dicomModality) {
  if (requested != Modality::Auto) return requested;
  if (dicomModality == "CT") return Modality::CT;
  if (dicomModality == "MR") return Modality::MR;
  if (!dicomModality.empty()) return Modality::MR;
  return core::looksLikeCt(volume) ? Modality::CT : Modality::MR;
}

}  // namespace protolabel::segmentation
