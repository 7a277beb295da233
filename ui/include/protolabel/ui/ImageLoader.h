#pragma once
// Loads images off the GUI thread: a DICOM folder is scanned first so the user can pick a series
// when there are several; a busy indicator shows while ITK reads. Errors come back as messages.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>

#include "protolabel/core/io/ImageReader.h"

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
  bool busy() const { return watcher_.isRunning(); }
  void wait() { watcher_.waitForFinished(); }

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
  void onFinished();
  QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
};

}  // namespace protolabel::ui
