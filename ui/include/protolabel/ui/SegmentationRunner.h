#pragma once
// Runs the segmentation pipeline for every label with examples in one pass, on a worker thread, and
// hands the result back to the GUI thread as a proposal. Every run works on an immutable input taken
// at start() (the image under shared ownership, copies of the examples, its own model handle), so the
// user can keep painting, switch models or open another scan meanwhile; results carry the image's
// generation so a stale one can be dropped. Progress (stage, fraction, ETA) and cancellation come
// through signals and cancel(); the GUI never waits on the pipeline.
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>
#include <set>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/inference/Model.h"
#include "protolabel/segmentation/Pipeline.h"
#include "protolabel/ui/BackgroundWork.h"

namespace protolabel::ui {

// A labelled scan whose labels serve as examples (segmenting a new scan from an annotated one).
struct SupportVolume {
  std::shared_ptr<const core::Volume> image;
  core::LabelMap labels;  // uint16
  std::string path;
  std::string dicomModality;
  std::set<uint16_t> use;  // the labels to transfer; empty: every label present
};

class SegmentationRunner : public QObject {
  Q_OBJECT
 public:
  explicit SegmentationRunner(QObject* parent = nullptr);
  ~SegmentationRunner() override;

  // The model is loaded at the next run (and kept for the runs after it).
  void setModel(const QString& path, inference::Device device);
  QString modelPath() const { return modelPath_; }
  inference::Device device() const { return device_; }
  void setSupportVolume(std::shared_ptr<const SupportVolume> volume) { supportVolume_ = std::move(volume); }
  std::shared_ptr<const SupportVolume> supportVolume() const { return supportVolume_; }
  // The pipeline's options (its defaults unless changed); keepConnected has its own checkbox.
  void setOptions(const segmentation::PipelineOptions& options) { options_ = options; }
  const segmentation::PipelineOptions& options() const { return options_; }
  void setKeepConnected(bool on) { options_.keepConnected = on; }
  bool keepConnected() const { return options_.keepConnected; }

  // Starts a run on the session's image with its painted examples (or the support volume's labels).
  // Returns false with `error` set when there is nothing to segment.
  bool start(const core::AnnotationSession& session, QString* error = nullptr);
  void cancel();
  bool running() const { return work_.running(); }
  // Blocks until the current run ends (tests, quitting).
  void wait();

 Q_SIGNALS:
  void progress(const QString& stage, double fraction, double etaSeconds);
  void finished(core::Proposal proposal, double seconds, quint64 imageGeneration);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Outcome;
  void onFinished(const std::shared_ptr<Outcome>& outcome);

  QString modelPath_;
  inference::Device device_ = inference::Device::Auto;
  // The model of the last run and what it was loaded from; touched in the GUI thread only.
  std::shared_ptr<inference::Model> model_;
  QString loadedPath_;
  inference::Device loadedDevice_ = inference::Device::Auto;
  std::shared_ptr<const SupportVolume> supportVolume_;
  segmentation::PipelineOptions options_;
  std::atomic<bool> cancel_{false};
  BackgroundTask<std::shared_ptr<Outcome>> work_{[this](std::shared_ptr<Outcome> outcome) { onFinished(outcome); }};
};

}  // namespace protolabel::ui
