#pragma once
// Keeps the 3D surfaces up to date after edits without blocking the interface: extraction runs on a
// worker thread on a copy of the part of the label map that holds labels, and requests arriving
// meanwhile are coalesced.
#include <QObject>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/surface/LabelSurfaces.h"
#include "protolabel/ui/BackgroundWork.h"

namespace protolabel::ui {

class SurfaceUpdater : public QObject {
  Q_OBJECT
 public:
  explicit SurfaceUpdater(QObject* parent = nullptr);
  // Cancels the running extraction and waits for it.
  ~SurfaceUpdater() override;

  void setOptions(const core::SurfaceOptions& options) { options_ = options; }
  // Extracts the surfaces of `values` from a copy of `snapshot`'s labelled box taken now (later
  // edits do not race with the worker). While an extraction runs, only the latest request is kept to run next.
  // Returns the request's ticket, which surfacesReady() carries.
  quint64 request(const core::LabelMap& snapshot, std::vector<uint16_t> values);
  // Every request made so far is withdrawn: the waiting one is dropped and the running one's result
  // is never delivered (a new image, or a proposal that is gone, makes them stale).
  void discard();
  bool isBusy() const { return work_.running(); }

 Q_SIGNALS:
  // Emitted in the thread of this object, once per extraction that ran and was not discarded.
  void surfacesReady(std::vector<core::LabelSurface> surfaces, quint64 ticket);

 private:
  struct Job {
    quint64 ticket = 0;
    std::shared_ptr<const core::LabelMap> labels;
    std::vector<uint16_t> values;
    core::SurfaceOptions options;
  };
  void start(Job job);
  void onFinished(std::vector<core::LabelSurface> surfaces);

  core::SurfaceOptions options_;
  BackgroundTask<std::vector<core::LabelSurface>> work_{
      [this](std::vector<core::LabelSurface> surfaces) { onFinished(std::move(surfaces)); }};
  // work_.running() stays true until the result is delivered, so a request never slips in between.
  quint64 runningTicket_ = 0, nextTicket_ = 1, firstWanted_ = 1;
  std::optional<Job> pending_;
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace protolabel::ui
