#pragma once
// Loads images off the GUI thread: a DICOM folder is scanned first so the user can pick a series
// when there are several; a busy indicator shows while ITK reads. Errors come back as messages.
#include <QObject>
#include <QString>
#include <memory>

#include "protolabel/core/io/ImageReader.h"
#include "protolabel/ui/BackgroundWork.h"

namespace protolabel::ui {

class ImageLoader : public QObject {
  Q_OBJECT
 public:
  explicit ImageLoader(QObject* parent = nullptr);
  ~ImageLoader() override;

  // Starts loading `path`; with several DICOM series, emits seriesChoiceNeeded and waits for
  // loadSeries(). Returns false when a load is already running.
  bool load(const QString& path);
  void loadSeries(const QString& path, int seriesIndex);
  bool busy() const { return work_.running(); }
  void wait() { work_.wait(); }

 Q_SIGNALS:
  void loaded(std::shared_ptr<core::LoadedImage> image);
  void seriesChoiceNeeded(const QString& path, const QStringList& series);
  void failed(const QString& path, const QString& message);

 private:
  struct Outcome {
    QString path;
    std::shared_ptr<core::LoadedImage> image;
    QStringList series;  // filled when the user must choose
    QString error;
  };
  void start(const QString& path, std::optional<int> seriesIndex);
  void onFinished(const std::shared_ptr<Outcome>& outcome);
  BackgroundTask<std::shared_ptr<Outcome>> work_{[this](std::shared_ptr<Outcome> outcome) { onFinished(outcome); }};
};

}  // namespace protolabel::ui
