#include "protolabel/ui/SegmentationRunner.h"

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <chrono>

#include "protolabel/inference/Engine.h"

namespace protolabel::ui {


struct SegmentationRunner::Outcome {
  std::optional<core::Proposal> proposal;
  QString error;
  bool cancelled = false;
  double seconds = 0;
};

SegmentationRunner::SegmentationRunner(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this, &SegmentationRunner::onFinished);
}

SegmentationRunner::~SegmentationRunner() {
  cancel();
  wait();
}

void SegmentationRunner::setModel(const QString& path, inference::Device device) {
  if (path == modelPath_ && device == device_) return;
  modelPath_ = path;
  device_ = device;
  model_.reset();
}

void SegmentationRunner::cancel() { cancel_ = true; }

void SegmentationRunner::wait() { watcher_.waitForFinished(); }

bool SegmentationRunner::start(const core::AnnotationSession& session, QString* error) {
  auto fail = [&](const QString& message) {
    if (error) *error = message;
    return false;
  };
  if (running()) return fail("a segmentation is already running");
  if (!session.hasImage()) return fail("open an image first");

  // Supports are copied here, in the GUI thread, so the user can keep painting during the run.
  auto supportImage = supportVolume_;
  std::vector<inference::LabelSupport> labels = collectSupports(session, supportImage.get());
  if (labels.empty())
    return fail(supportImage ? "the support volume has no labels"
                             : "paint at least one structure on an axial slice first: painted slices are the examples");
  if (modelPath_.isEmpty()) return fail("no model file is selected");

  cancel_ = false;
  const core::Volume* image = &session.image();
  const core::ImageGeometry geometry = image->geometry();
  auto run = [this, image, geometry, labels = std::move(labels), supportImage, keep = keepConnected_]() mutable {
    auto outcome = std::make_shared<Outcome>();
    const auto start = std::chrono::steady_clock::now();
    try {
      if (!model_) model_ = inference::Model::load(modelPath_.toStdString(), device_);
      const EngineInput input(*image, supportImage.get(), labels);
      inference::Engine engine(model_);
      auto result = engine.segment(input.request(), [&](int64_t done, int64_t total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Q_EMIT progress(int(done), int(total), elapsed / double(done) * double(total - done));
        return !cancel_.load();
      });
      input.restore(result);
      outcome->proposal = toProposal(result, geometry, labels, supportImage.get(), keep);
    } catch (const inference::EngineError& e) {
      outcome->cancelled = e.code() == inference::EngineError::Code::Cancelled;
      outcome->error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      outcome->error = QString::fromStdString(e.what());
    }
    outcome->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
  };
  watcher_.setFuture(QtConcurrent::run(std::move(run)));
  return true;
}

void SegmentationRunner::onFinished() {
  const std::shared_ptr<Outcome> outcome = watcher_.result();
  if (outcome->proposal) return Q_EMIT finished(std::move(*outcome->proposal), outcome->seconds);
  if (outcome->cancelled) return Q_EMIT cancelled();
  Q_EMIT failed(outcome->error);
}

}  // namespace protolabel::ui
