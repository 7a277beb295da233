#pragma once
// Runs the few-shot engine for every label with supports in one pass, on a worker thread, and
// hands the result back to the GUI thread as a proposal. Progress (with an ETA) and cancellation
// come through signals and cancel(); the GUI never waits on the engine.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/inference/Model.h"
#include "protolabel/ui/SessionSegmentation.h"

namespace protolabel::ui {

class SegmentationRunner : public QObject {
  Q_OBJECT
 public:
  explicit SegmentationRunner(QObject* parent = nullptr);
  ~SegmentationRunner() override;

  // Loads the model lazily at the next run.
  void setModel(const QString& path, inference::Device device);
  QString modelPath() const { return modelPath_; }
  inference::Device device() const { return device_; }
  void setSupportVolume(std::shared_ptr<const SupportVolume> volume) { supportVolume_ = std::move(volume); }
  std::shared_ptr<const SupportVolume> supportVolume() const { return supportVolume_; }
  // Drop islands not connected to the examples (see toProposal); on by default.
  void setKeepConnected(bool on) { keepConnected_ = on; }
  bool keepConnected() const { return keepConnected_; }

  // Starts a run on the session's image with its support slices (or the support volume's labels).
  // Returns false with `error` set when there is nothing to segment. The session's image must stay
  // unchanged until finished() or failed().
  bool start(const core::AnnotationSession& session, QString* error = nullptr);
  void cancel();
  bool running() const { return watcher_.isRunning(); }
  // Blocks until the current run ends (tests, quitting).
  void wait();

 Q_SIGNALS:
  void progress(int done, int total, double etaSeconds);
  void finished(core::Proposal proposal, double seconds);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Outcome;
  void onFinished();

  QString modelPath_;
  inference::Device device_ = inference::Device::Auto;
  std::shared_ptr<inference::Model> model_;
  std::shared_ptr<const SupportVolume> supportVolume_;
  std::atomic<bool> cancel_{false};
  bool keepConnected_ = true;
  QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
};

}  // namespace protolabel::ui
