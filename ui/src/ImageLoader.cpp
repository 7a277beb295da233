#include "protolabel/ui/ImageLoader.h"

#include "protolabel/core/Error.h"

namespace protolabel::ui {

ImageLoader::ImageLoader(QObject* parent) : QObject(parent) {}

ImageLoader::~ImageLoader() = default;

bool ImageLoader::load(const QString& path) {
  if (busy()) return false;
  start(path, std::nullopt);
  return true;
}

void ImageLoader::loadSeries(const QString& path, int seriesIndex) {
  if (!busy()) start(path, seriesIndex);
}

void ImageLoader::start(const QString& path, std::optional<int> seriesIndex) {
  work_.start([path, seriesIndex] {
    auto outcome = std::make_shared<Outcome>();
    outcome->path = path;
    try {
      core::ReadOptions options;
      options.seriesIndex = seriesIndex;
      outcome->image = std::make_shared<core::LoadedImage>(core::readImage(path.toStdString(), options));
    } catch (const core::Error& e) {
      if (e.code() == core::ErrorCode::AmbiguousSeries) {
        // Several series: list them for the user to choose.
        try {
          for (const core::DicomSeriesInfo& s : core::scanDicomSeries(path.toStdString()))
            outcome->series << QString::fromStdString(s.summary());
        } catch (const core::Error& scanError) {
          outcome->error = QString::fromStdString(scanError.what());
        }
      } else {
        outcome->error = QString::fromStdString(e.what());
      }
    } catch (const std::exception& e) {
      outcome->error = QString::fromStdString(e.what());
    }
    return outcome;
  });
}

void ImageLoader::onFinished(const std::shared_ptr<Outcome>& outcome) {
  if (outcome->image) return Q_EMIT loaded(outcome->image);
  if (!outcome->series.isEmpty()) return Q_EMIT seriesChoiceNeeded(outcome->path, outcome->series);
  Q_EMIT failed(outcome->path, outcome->error);
}

}  // namespace protolabel::ui
