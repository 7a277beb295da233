#include "SurfaceUpdater.h"

#include <QtDebug>

namespace protolabel::ui {

SurfaceUpdater::SurfaceUpdater(QObject* parent) : QObject(parent) {}

SurfaceUpdater::~SurfaceUpdater() {
  cancelled_->store(true);
  pending_.reset();
  work_.wait();
}

quint64 SurfaceUpdater::request(const core::LabelMap& snapshot, std::vector<uint16_t> values) {
  const quint64 ticket = nextTicket_++;
  // Only the part that holds labels, with a background margin so surfaces close as on the whole
  // grid: a full copy of a 512x512x300 map would cost 157 MB while a segmentation runs.
  core::IndexBox box = snapshot.contentExtent();
  const bool unlabelled = box.empty();
  for (int a = 0; a < 3; ++a) {
    box.lo[a] = unlabelled ? 0 : box.lo[a] - 1;
    box.hi[a] = unlabelled ? 0 : box.hi[a] + 1;
  }
  Job job{ticket, std::make_shared<const core::LabelMap>(snapshot.cropped(box)), std::move(values), options_};
  if (work_.running())
    pending_ = std::move(job);  // replaces an older waiting request
  else
    start(std::move(job));
  return ticket;
}

void SurfaceUpdater::discard() {
  pending_.reset();
  firstWanted_ = nextTicket_;
}

void SurfaceUpdater::start(Job job) {
  runningTicket_ = job.ticket;
  const auto cancelled = cancelled_;
  work_.start([job = std::move(job), cancelled]() -> std::vector<core::LabelSurface> {
    try {
      return core::extractLabelSurfaces(*job.labels, job.values, job.options, [cancelled] { return cancelled->load(); });
    } catch (const std::exception& e) {
      qWarning("Surface extraction failed: %s", e.what());
      return {};
    }
  });
}

void SurfaceUpdater::onFinished(std::vector<core::LabelSurface> surfaces) {
  const quint64 finished = runningTicket_;
  // Start the next extraction before handing these out, so the worker is never idle while work waits.
  if (pending_) {
    Job next = std::move(*pending_);
    pending_.reset();
    start(std::move(next));
  }
  if (finished >= firstWanted_) Q_EMIT surfacesReady(std::move(surfaces), finished);
}

}  // namespace protolabel::ui
