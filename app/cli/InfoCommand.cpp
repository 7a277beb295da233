// protolabel info PATH [--series N] [--json] [--replace-nan]
// protolabel info --runtime [--json]
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "RuntimeReport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/inference/Model.h"

namespace protolabel::app {

namespace {

QJsonObject seriesToJson(const core::DicomSeriesInfo& s, int index) {
  QJsonObject o;
  o["index"] = index;
  o["id"] = QString::fromStdString(s.id);
  o["uid"] = QString::fromStdString(s.seriesInstanceUid);
  o["number"] = QString::fromStdString(s.seriesNumber);
  o["description"] = QString::fromStdString(s.description);
  o["modality"] = QString::fromStdString(s.modality);
  o["columns"] = s.columns;
  o["rows"] = s.rows;
  o["slices"] = s.sliceCount();
  o["files"] = static_cast<int>(s.files.size());
  return o;
}

void printRuntime(bool json) {
  const QJsonObject r = runtimeReport();
  if (json) return printJson(r);
  std::cout << "Qt " << r["qt_version"].toString().toStdString() << ", LibTorch "
            << r["torch_version"].toString().toStdString() << ", CPU threads " << r["cpu_threads"].toInt()
            << ", CUDA " << (r["cuda_available"].toBool() ? "available" : "not available") << "\n"
            << "Mapped: Qt6 " << r["qt6_mappings"].toInt() << ", Qt5 " << r["qt5_mappings"].toInt() << ", LibTorch "
            << r["torch_mappings"].toInt() << "\n";
}

void printImageText(const core::LoadedImage& img) {
  const core::ImageGeometry& g = img.volume.geometry();
  std::cout << "File: " << img.sourcePath << "\n";
  if (!img.series.empty()) {
    std::cout << "Series found: " << img.series.size() << "\n";
    for (std::size_t i = 0; i < img.series.size(); ++i)
      std::cout << (int(i) == img.seriesIndex ? "  * " : "    ") << i << ": " << img.series[i].summary() << "\n";
  }
  const auto [lo, hi] = img.volume.intensityRange();
  std::cout << "Size: " << g.size[0] << " x " << g.size[1] << " x " << g.size[2] << "\n"
            << "Spacing: " << g.spacing[0] << " x " << g.spacing[1] << " x " << g.spacing[2] << " mm\n"
            << "Origin: " << g.origin[0] << ", " << g.origin[1] << ", " << g.origin[2] << " (LPS, mm)\n"
            << "Direction:";
  for (int r = 0; r < 3; ++r)
    std::cout << " [" << g.direction[r * 3] << " " << g.direction[r * 3 + 1] << " " << g.direction[r * 3 + 2] << "]";
  std::cout << "\nOrientation: " << g.orientationCode() << "\n"
            << "Pixel type: " << core::pixelTypeName(img.volume.pixelType()) << "\n"
            << "Range: " << lo << " .. " << hi << "\n";
  for (const std::string& w : img.warnings) std::cout << "Warning: " << w << "\n";
}

QJsonObject imageToJson(const core::LoadedImage& img) {
  const core::ImageGeometry& g = img.volume.geometry();
  QJsonObject o;
  o["path"] = QString::fromStdString(img.sourcePath);
  QJsonArray series;
  for (std::size_t i = 0; i < img.series.size(); ++i) series.append(seriesToJson(img.series[i], int(i)));
  o["series"] = series;
  o["chosen_series"] = img.seriesIndex;
  o["size"] = toJson(g.size);
  o["spacing"] = toJson(g.spacing);
  o["origin"] = toJson(g.origin);
  o["direction"] = directionToJson(g.direction);
  o["orientation"] = QString::fromStdString(g.orientationCode());
  o["pixel_type"] = core::pixelTypeName(img.volume.pixelType());
  const auto [lo, hi] = img.volume.intensityRange();
  o["range"] = QJsonArray{lo, hi};
  QJsonArray warnings;
  for (const std::string& w : img.warnings) warnings.append(QString::fromStdString(w));
  o["warnings"] = warnings;
  return o;
}

}  // namespace

void printModel(const std::string& path, bool json) {
  const inference::ModelInfo m = inference::Model::inspect(path);
  if (json)
    return printJson(QJsonObject{{"path", QString::fromStdString(path)},
                                 {"preset", QString::fromStdString(m.preset)},
                                 {"method", QString::fromStdString(m.method)},
                                 {"input_size", qint64(m.inputSize)},
                                 {"parameters", qint64(m.parameters)},
                                 {"feature_channels", qint64(m.featureChannels)},
                                 {"prototypes", QJsonArray{qint64(m.fgPrototypes), qint64(m.bgPrototypes)}},
                                 {"half_precision", m.halfPrecision},
                                 {"training", QString::fromStdString(m.training)},
                                 {"format", QString::fromStdString(m.formatVersion)}});
  std::cout << "Model: " << path << "\n"
            << "Preset: " << m.preset << " (" << m.method << ")\n"
            << "Input size: " << m.inputSize << " x " << m.inputSize << "\n"
            << "Parameters: " << m.parameters << "\n"
            << "Prototypes: " << m.fgPrototypes << " foreground, " << m.bgPrototypes << " background\n"
            << "Weights: " << (m.halfPrecision ? "float16" : "float32") << "\n"
            << "Training: " << m.training << "\n";
}

int runInfo(const Args& args) {
  const CommandLine cl(args, {"json", "runtime", "replace-nan"}, {"series", "model"});
  if (cl.flag("runtime")) {
    printRuntime(cl.flag("json"));
    return 0;
  }
  if (auto model = cl.option("model")) {
    printModel(*model, cl.flag("json"));
    return 0;
  }
  if (cl.positional().size() != 1) throw UsageError("info takes one file or DICOM folder");
  core::ReadOptions options;
  options.replaceNonFinite = cl.flag("replace-nan");
  // Without --series, a folder of several series shows the first (largest) and lists the others.
  options.seriesIndex = cl.intOption("series").value_or(0);
  const core::LoadedImage image = core::readImage(cl.positional()[0], options);
  if (cl.flag("json"))
    printJson(imageToJson(image));
  else
    printImageText(image);
  return 0;
}

}  // namespace protolabel::app
