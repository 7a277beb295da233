#include "protolabel/core/io/FinetuneData.h"

#include <filesystem>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/TrainingVolumeFile.h"

namespace protolabel::core {

bool hasAnyLabel(const Volume& labels) {
  if (labels.isNull()) return false;
  return dispatchPixelType(labels.pixelType(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = labels.data<T>();
    for (int64_t i = 0, n = labels.voxelCount(); i < n; ++i)
      if (v[i] != T(0)) return true;
    return false;
  });
}

std::string writeFinetuneVolume(const Volume& image, const Volume& labels, const std::string& folder, int index) {
  if (!labels.geometry().sameGrid(image.geometry()))
    throw Error(ErrorCode::GridMismatch, "the labels do not lie on the grid of their image");
  if (!hasAnyLabel(labels)) throw Error(ErrorCode::InvalidArgument, "the labels are empty: paint or load some first");
  const std::string file =
      (std::filesystem::path(folder) / ("volume" + std::to_string(index) + ".pltv")).string();
  // Supervoxels stay zero: supervised episodes are drawn from the labels alone.
  writeTrainingVolume(file, image, Volume(image.geometry(), PixelType::UInt16), &labels);
  return file;
}

std::string writeFinetuneVolume(const Volume& image, const LabelMap& labels, const std::string& folder, int index) {
  return writeFinetuneVolume(image, labels.voxels(), folder, index);
}

}  // namespace protolabel::core
