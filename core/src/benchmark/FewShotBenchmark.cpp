#include "protolabel/core/benchmark/FewShotBenchmark.h"

#include <algorithm>
#include <filesystem>

#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

std::string FewShotBenchmark::imagePath(int id) const {
  return folder + "/images/image_" + std::to_string(id) + ".nii.gz";
}
std::string FewShotBenchmark::labelPath(int id) const {
  return folder + "/labels/label_" + std::to_string(id) + ".nii.gz";
}
std::string FewShotBenchmark::supervoxelPath(int id) const {
  if (name == "abd-ct") return {};  // none shipped: training makes its own
  const char* sub = name == "abd-mri" ? "/supervoxels_5000" : "/supervoxels_1000";
  return folder + sub + "/superpix-MIDDLE_" + std::to_string(id) + ".nii.gz";
}

std::vector<int> FewShotBenchmark::foldVolumes(int fold) const {
  if (fold < 0 || fold >= folds)
    throw Error(ErrorCode::InvalidArgument, "fold " + std::to_string(fold) + " does not exist (0.." +
                                                std::to_string(folds - 1) + ")");
  const int n = int(volumeIds.size());
  std::vector<int> ids;
  // Folds overlap by one volume: fold k holds indices k*(size-1) .. k*(size-1)+size-1, wrapping to 0.
  for (int i = 0; i < foldSize; ++i) ids.push_back(volumeIds[std::size_t((fold * (foldSize - 1) + i) % n)]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

int FewShotBenchmark::supportVolume(int fold) const {
  // The reference keeps the fold in index order (the wrapped index 0 first in the last fold) and
  // takes its third entry.
  const int n = int(volumeIds.size());
  std::vector<int> indices;
  for (int i = 0; i < foldSize; ++i) indices.push_back((fold * (foldSize - 1) + i) % n);
  std::sort(indices.begin(), indices.end());
  return volumeIds[std::size_t(indices[2])];
}

std::vector<int> FewShotBenchmark::trainingVolumes(int excludedFold) const {
  const std::vector<int> test = foldVolumes(excludedFold);
  std::vector<int> train;
  for (int id : volumeIds)
    if (std::find(test.begin(), test.end(), id) == test.end()) train.push_back(id);
  return train;
}

FewShotBenchmark loadFewShotBenchmark(const std::string& name, const std::string& dataRoot) {
  FewShotBenchmark b;
  b.name = name;
  if (name == "abd-mri") {
    b.folder = dataRoot + "/abd-mri-chaost2";
    b.organs = {{1, "liver"}, {2, "right kidney"}, {3, "left kidney"}, {4, "spleen"}};
    b.foldSize = 5;
  } else if (name == "card-mri") {
    b.folder = dataRoot + "/card-mri-cmr";
    b.organs = {{200, "LV-MYO"}, {500, "LV-BP"}, {600, "RV"}};
    b.foldSize = 8;
  } else if (name == "abd-ct") {
    // A sibling of the few-shot benchmark folder in the shared data (or inside the given root).
    b.folder = dataRoot + "/abd-ct-sabs";
    std::error_code exists;
    if (!fs::is_directory(b.folder, exists)) b.folder = dataRoot + "/../abd-ct-sabs";
    b.organs = {{1, "spleen"}, {2, "right kidney"}, {3, "left kidney"}, {6, "liver"}};
    b.foldSize = 7;
    b.modality = "ct";
    b.folds = 1;  // of the published 30 volumes only the first ten, so only fold 0 (0-6) is complete
  } else {
    throw Error(ErrorCode::InvalidArgument, "unknown benchmark '" + name + "' (use abd-mri, card-mri or abd-ct)");
  }
  std::error_code ec;
  if (!fs::is_directory(b.folder + "/images", ec))
    throw Error(ErrorCode::FileNotFound, "no benchmark images in " + b.folder + "/images", b.folder);
  for (const auto& entry : fs::directory_iterator(b.folder + "/images")) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("image_", 0) != 0) continue;
    try {
      b.volumeIds.push_back(std::stoi(file.substr(6)));
    } catch (const std::exception&) {  // image_notes.txt and the like are not volumes
    }
  }
  std::sort(b.volumeIds.begin(), b.volumeIds.end());
  return b;
}

std::vector<int64_t> ep1SupportSlices(const std::vector<int64_t>& supportOrganSlices) {
  std::vector<int64_t> picks;
  const double cs = double(supportOrganSlices.size());
  if (supportOrganSlices.empty()) return picks;
  for (double part : {1.0 / 6, 0.5, 5.0 / 6}) picks.push_back(supportOrganSlices[std::size_t(cs * part)]);
  return picks;
}

std::vector<int64_t> ep1SupportSlices(const LabelMap& labels, uint16_t value, Axis axis) {
  std::vector<int64_t> picks = ep1SupportSlices(labels.slicesContaining(value, axis));
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  return picks;
}

std::vector<Ep1Chunk> ep1Chunks(const std::vector<int64_t>& queryOrganSlices,
                                const std::vector<int64_t>& supportOrganSlices) {
  std::vector<Ep1Chunk> chunks;
  if (queryOrganSlices.empty() || supportOrganSlices.empty()) return chunks;
  const double c = double(queryOrganSlices.size());
  const std::vector<int64_t> supports = ep1SupportSlices(supportOrganSlices);
  for (int i = 0; i < 3; ++i) {
    // numpy: linspace(0, C, 4).astype(int) truncates toward zero.
    const auto from = std::size_t(c * i / 3), to = std::size_t(c * (i + 1) / 3);
    Ep1Chunk chunk;
    chunk.querySlices.assign(queryOrganSlices.begin() + std::ptrdiff_t(from), queryOrganSlices.begin() + std::ptrdiff_t(to));
    chunk.supportSlice = supports[std::size_t(i)];
    if (!chunk.querySlices.empty()) chunks.push_back(std::move(chunk));
  }
  return chunks;
}

double dice3d(const uint16_t* predicted, const uint16_t* truth, const int64_t size[3], uint16_t value,
              const std::vector<int64_t>& slices) {
  const int64_t plane = size[0] * size[1];
  int64_t tp = 0, fp = 0, fn = 0;
  auto count = [&](int64_t z) {
    for (int64_t i = z * plane, end = i + plane; i < end; ++i) {
      const bool p = predicted[i] == value, t = truth[i] == value;
      tp += p && t;
      fp += p && !t;
      fn += !p && t;
    }
  };
  if (slices.empty())
    for (int64_t z = 0; z < size[2]; ++z) count(z);
  else
    for (int64_t z : slices) count(z);
  return tp + fp + fn ? 2.0 * double(tp) / double(2 * tp + fp + fn) : 1.0;
}

}  // namespace protolabel::core
