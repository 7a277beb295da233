#pragma once
// Which kind of scan a volume is, because CT and MR are prepared differently for the network (CT is
// clipped to the model's window). The answer comes from the user, then the DICOM header, and only
// then from the intensities.
#include <string>

#include "protolabel/core/Volume.h"

namespace protolabel::segmentation {

enum class Modality { Auto, CT, MR };

const char* modalityName(Modality modality);  // "auto", "ct", "mr"
// "auto", "ct", "mr" (any case); throws core::Error(InvalidArgument) otherwise.
Modality parseModality(const std::string& name);

// `requested` unless Auto; else the DICOM Modality tag (CT, MR; any other is treated as MR: not
// windowed), else the intensities (core::looksLikeCt: air near -1000 HU). Never returns Auto.
Modality resolveModality(Modality requested, const core::Volume& volume, const std::string& dicomModality = {});

}  // namespace protolabel::segmentation
