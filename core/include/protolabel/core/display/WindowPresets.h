#pragma once
// Window/level presets: the radiological CT windows, an automatic window from intensity
// percentiles (MR has no calibrated units), and the window stored in a DICOM file when there is one.
#include <optional>
#include <string>
#include <vector>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

struct Window {
  double width = 1;
  double level = 0;
  double low() const { return level - width / 2; }
  double high() const { return level + width / 2; }
};

struct WindowPreset {
  std::string name;
  Window window;
};

// The [lowPercent, highPercent] percentiles of the finite voxels, from a histogram (one pass).
Window percentileWindow(const Volume& volume, double lowPercent = 1, double highPercent = 99);

// True when the intensities look like Hounsfield units (air near -1000 and a CT-like range).
bool looksLikeCt(const Volume& volume);

// Presets in menu order: the DICOM window first when given, then the CT windows for CT-like images,
// then "Automatic" (percentiles).
std::vector<WindowPreset> windowPresets(const Volume& volume, const std::optional<Window>& dicomWindow = {});

// The voxels as the few-shot network should see them: as float, and for CT clipped to the abdominal
// window [-125, 275] HU used when the benchmark's CT data is prepared; without it air and bone
// dominate the per-volume normalisation and soft tissue loses its contrast.
std::vector<float> networkIntensities(const Volume& volume);

}  // namespace protolabel::core
