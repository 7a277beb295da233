#include "protolabel/segmentation/TrainingData.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/FinetuneData.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/io/TrainingVolumeFile.h"
#include "protolabel/core/training/Supervoxels.h"
#include "protolabel/segmentation/NetworkVolume.h"

namespace fs = std::filesystem;

namespace protolabel::segmentation {

std::vector<TrainingSource> readTrainingList(const std::string& listPath) {
  std::ifstream in(listPath);
  if (!in) throw core::Error(core::ErrorCode::FileNotFound, "cannot read the training list " + listPath, listPath);
  const fs::path base = fs::path(listPath).parent_path();
  auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : (base / p).lexically_normal().string(); };
  std::vector<TrainingSource> sources;
  int lineNumber = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineNumber;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    TrainingSource s;
    s.image = resolve(word);
    while (words >> word) {
      const auto eq = word.find('=');
      const std::string key = word.substr(0, eq), value = eq == std::string::npos ? "" : word.substr(eq + 1);
      if (key == "labels" && !value.empty()) s.labels = resolve(value);
      else if (key == "supervoxels" && !value.empty()) s.supervoxels = resolve(value);
      else if (key == "modality") s.modality = parseModality(value);
      else
        throw core::Error(core::ErrorCode::InvalidArgument, listPath + ":" + std::to_string(lineNumber) + ": '" + word +
                                                                "' is not labels=PATH, supervoxels=PATH or modality=ct|mr");
    }
    sources.push_back(std::move(s));
  }
  if (sources.empty()) throw core::Error(core::ErrorCode::InvalidArgument, listPath + " lists no image");
  return sources;
}

namespace {

// `volume` converted to uint16 and flipped like the network volume, as a volume on `grid`.
core::Volume flippedIds(const core::Volume& volume, const NetworkVolume& network, const core::ImageGeometry& grid) {
  const core::Volume ids = volume.convertedTo(core::PixelType::UInt16);
  std::vector<uint16_t> buffer(ids.data<uint16_t>(), ids.data<uint16_t>() + ids.voxelCount());
  network.flip(buffer);
  core::Volume out(grid, core::PixelType::UInt16);
  std::copy(buffer.begin(), buffer.end(), out.data<uint16_t>());
  return out;
}

}  // namespace

void writePreparedTrainingVolume(const std::string& path, const core::Volume& image, Modality modality,
                                 const core::Volume* labels, const core::Volume* supervoxels,
                                 const inference::Preprocessing& preprocessing, bool computeSupervoxels) {
  for (const core::Volume* v : {labels, supervoxels})
    if (v && v->size() != image.size())
      throw core::Error(core::ErrorCode::GridMismatch, "the labels or supervoxels differ in size from " + path);
  const NetworkVolume network(image, resolveModality(modality, image), preprocessing);
  // The grid only carries size and spacing into the file; its placement does not matter there.
  core::ImageGeometry grid;
  grid.size = image.size();
  grid.spacing = image.geometry().spacing;
  core::Volume prepared(grid, core::PixelType::Float32);
  network.visitVoxels([&](const auto* v) { std::copy(v, v + image.voxelCount(), prepared.data<float>()); });
  core::Volume ids(grid, core::PixelType::UInt16);
  if (supervoxels) ids = flippedIds(*supervoxels, network, grid);
  else if (computeSupervoxels) ids = core::computeSupervoxels(prepared);
  const core::Volume flippedLabels = labels ? flippedIds(*labels, network, grid) : core::Volume(grid, core::PixelType::UInt16);
  core::writeTrainingVolume(path, prepared, ids, &flippedLabels);
}

std::string prepareTrainingVolume(const TrainingSource& source, const inference::Preprocessing& preprocessing,
                                  const std::string& cacheFolder) {
  std::ostringstream key;
  for (const std::string& p : {source.image, source.labels, source.supervoxels}) {
    key << p << '|';
    std::error_code ec;
    if (!p.empty() && fs::is_regular_file(p, ec))
      key << fs::file_size(p, ec) << '|' << fs::last_write_time(p, ec).time_since_epoch().count() << '|';
  }
  key << modalityName(source.modality) << '|' << preprocessing.ctWindowLow << '|' << preprocessing.ctWindowHigh << '|'
      << preprocessing.orientation << "|sampler-2";
  fs::create_directories(cacheFolder);
  const std::string file = (fs::path(cacheFolder) / (fs::path(source.image).filename().string() + "-" +
                                                     std::to_string(std::hash<std::string>{}(key.str())) + ".pltv"))
                               .string();
  if (fs::exists(file)) return file;
  const core::LoadedImage image = core::readImage(source.image);
  const std::string dicomModality =
      image.seriesIndex >= 0 ? image.series[std::size_t(image.seriesIndex)].modality : std::string();
  const Modality modality = resolveModality(source.modality, image.volume, dicomModality);
  core::Volume labels, supervoxels;
  if (!source.labels.empty()) {
    const core::LabelMap map = core::readLabelMap(source.labels);
    if (map.geometry().size != image.volume.size())
      throw core::Error(core::ErrorCode::GridMismatch, source.labels + " is not on the grid of " + source.image);
    labels = map.voxels();
  }
  if (!source.supervoxels.empty()) supervoxels = core::readImage(source.supervoxels).volume;
  writePreparedTrainingVolume(file, image.volume, modality, labels.isNull() ? nullptr : &labels,
                              supervoxels.isNull() ? nullptr : &supervoxels, preprocessing, true);
  return file;
}

std::string writeFinetuneVolume(const core::Volume& image, Modality modality, const core::LabelMap& labels,
                                const inference::Preprocessing& preprocessing, const std::string& folder, int index) {
  if (!labels.geometry().sameGrid(image.geometry()))
    throw core::Error(core::ErrorCode::GridMismatch, "the labels do not lie on the grid of their image");
  if (!core::hasAnyLabel(labels.voxels()))
    throw core::Error(core::ErrorCode::InvalidArgument, "the labels are empty: paint or load some first");
  const std::string file = (fs::path(folder) / ("volume" + std::to_string(index) + ".pltv")).string();
  writePreparedTrainingVolume(file, image, modality, &labels.voxels(), nullptr, preprocessing, false);
  return file;
}

}  // namespace protolabel::segmentation
