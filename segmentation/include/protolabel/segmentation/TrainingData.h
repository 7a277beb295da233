#pragma once
// Training and fine-tuning volumes prepared exactly as the segmentation pipeline prepares a scan
// (NetworkVolume: CT window, training orientation), with their labels and supervoxels flipped alike,
// and written as training volume files (docs/training-data.md) for the LibTorch-only training loop.
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"
#include "protolabel/inference/Model.h"
#include "protolabel/segmentation/Modality.h"

namespace protolabel::segmentation {

// One line of a training list: `IMAGE [labels=PATH] [supervoxels=PATH] [modality=ct|mr]`; paths are
// relative to the list file; `#` starts a comment.
struct TrainingSource {
  std::string image, labels, supervoxels;
  Modality modality = Modality::Auto;
};

// Throws core::Error(InvalidArgument) with the line number for malformed lines.
std::vector<TrainingSource> readTrainingList(const std::string& listPath);

// Writes `image` (with `labels` and `supervoxels` on its grid, either may be null) as a training volume
// at `path`. Without supervoxels, ITK SLIC supervoxels of the prepared intensities are computed when
// `computeSupervoxels` is set, and left empty otherwise (supervised episodes only).
void writePreparedTrainingVolume(const std::string& path, const core::Volume& image, Modality modality,
                                 const core::Volume* labels, const core::Volume* supervoxels,
                                 const inference::Preprocessing& preprocessing, bool computeSupervoxels);

// The source prepared as a training volume in `cacheFolder` (reused when an up-to-date file is there,
// keyed by the paths, their sizes and times, and the preprocessing). Returns its path.
std::string prepareTrainingVolume(const TrainingSource& source, const inference::Preprocessing& preprocessing,
                                  const std::string& cacheFolder);

// Fine-tuning: a labelled volume written as `<folder>/volume<index>.pltv` for supervised episodes.
// Throws core::Error(GridMismatch) when the labels are off the image's grid and
// core::Error(InvalidArgument) when they hold no label.
std::string writeFinetuneVolume(const core::Volume& image, Modality modality, const core::LabelMap& labels,
                                const inference::Preprocessing& preprocessing, const std::string& folder, int index);

}  // namespace protolabel::segmentation
