#include "SurfaceUpdater.h"

#include <QtConcurrent/QtConcurrentRun>
#include <QtDebug>

namespace protolabel::ui {

SurfaceUpdater::SurfaceUpdater(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcherBase::finished, this, &SurfaceUpdater::onFinished);
}

SurfaceUpdater::~SurfaceUpdater() {
  cancelled_->store(true);
  pending_.reset();
  watcher_.disconnect(this);
  // Only while running: a future whose result was taken counts as never finished.
  if (running_) watcher_.waitForFinished();
}

void SurfaceUpdater::request(const core::LabelMap& snapshot, std::vector<uint16_t> values) {
  Job job{std::make_shared<const core::LabelMap>(snapshot), std::move(values), options_};
  if (running_) {
    pending_ = std::move(job);  // replaces an older waiting request
    return;
  }
  start(std::move(job));
}

void SurfaceUpdater::start(Job job) {
  running_ = true;
  const auto cancelled = cancelled_;
  watcher_.setFuture(QtConcurrent::run([job = std::move(job), cancelled]() -> std::vector<core::LabelSurface> {
    try {
      return core::extractLabelSurfaces(*job.labels, job.values, job.options, [cancelled] { return cancelled->load(); });
    } catch (const std::exception& e) {
      qWarning("Surface extraction failed: %s", e.what());
      return {};
    }
  }));
}

void SurfaceUpdater::onFinished() {
  std::vector<core::LabelSurface> surfaces = watcher_.future().takeResult();  // moved, not copied
  running_ = false;
  // Start the next extraction before handing these out, so the worker is never idle while work waits.
  if (pending_) {
    Job next = std::move(*pending_);
    pending_.reset();
    start(std::move(next));
  }
  Q_EMIT surfacesReady(std::move(surfaces));
}

}  // namespace protolabel::ui
