#pragma once
// Fine-tunes a model on the user's labelled volumes on a worker thread: supervised episodes from
// the labels, starting from a base model, written to a new file. Progress reaches the GUI thread
// as queued signals; cancel() stops after the current iteration and writes nothing. The base model
// and the protected (shipped) models are never overwritten.
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/Volume.h"
#include "protolabel/inference/Training.h"
#include "protolabel/inference/Types.h"
#include "protolabel/ui/BackgroundWork.h"

Q_DECLARE_METATYPE(protolabel::inference::TrainingProgress)

namespace protolabel::ui {

// One labelled volume: copies held in memory (the open volume, copied when the run starts) or a
// pair of files read on the worker thread.
struct FinetuneVolume {
  QString name;  // for messages
  std::shared_ptr<const core::Volume> image;
  std::shared_ptr<const core::LabelMap> labels;
  QString imagePath, labelsPath;
  std::string dicomModality;  // the DICOM Modality tag of the image, when it is a DICOM series

  static FinetuneVolume inMemory(core::Volume image, core::LabelMap labels, const QString& name);
  static FinetuneVolume fromFiles(const QString& imagePath, const QString& labelsPath);
  bool isInMemory() const { return image != nullptr; }
};

struct FinetuneOptions {
  QString baseModel;
  QString output;
  int64_t iterations = 1000;  // 0: no limit (then minutes must be set)
  double minutes = 0;         // 0: no limit
  inference::Device device = inference::Device::Auto;
  uint64_t seed = 2025;
};

class FinetuneRunner : public QObject {
  Q_OBJECT
 public:
  explicit FinetuneRunner(QObject* parent = nullptr);
  ~FinetuneRunner() override;

  // Models that may never be an output (the shipped model); the base model always is one.
  void setProtectedModels(const QStringList& paths) { protected_ = paths; }
  QStringList protectedModels() const { return protected_; }

  // Checks what can be checked at once (output, budget, in-memory labels); on a refusal emits
  // failed() and returns false with nothing started. Files are read and checked on the worker.
  bool start(std::vector<FinetuneVolume> volumes, const FinetuneOptions& options);
  void cancel() { cancel_ = true; }
  // True from start() until finished(), failed() or cancelled() is emitted.
  bool running() const { return busy_; }
  // Blocks until the run ends and emits its outcome signal (tests, quitting).
  void wait();

  // Why `options` cannot be used with `volumes` (empty when they can).
  QString refusal(const std::vector<FinetuneVolume>& volumes, const FinetuneOptions& options) const;

 Q_SIGNALS:
  void progress(const protolabel::inference::TrainingProgress& progress);
  void finished(const QString& outputPath, const QString& summary);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Outcome;
  std::shared_ptr<Outcome> run(const std::vector<FinetuneVolume>& volumes, const FinetuneOptions& options);
  void deliverOutcome(const std::shared_ptr<Outcome>& outcome);

  QStringList protected_;
  std::atomic<bool> cancel_{false};
  bool busy_ = false;
  BackgroundTask<std::shared_ptr<Outcome>> work_{[this](std::shared_ptr<Outcome> outcome) { deliverOutcome(outcome); }};
};

}  // namespace protolabel::ui
