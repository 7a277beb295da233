#pragma once
// Keeps the 3D view's proposal surfaces in step with the engine's pending proposal: the labels still
// pending are meshed in the background from a copy of the proposal, and a label that is accepted or
// discarded leaves the view at once (its accepted surface comes with the user's labels).
#include <QObject>
#include <QTimer>

#include <vector>

#include "SurfaceUpdater.h"
#include "protolabel/core/surface/LabelSurfaces.h"

namespace protolabel::ui {

class SurfaceView;
class ViewerModel;

class ProposalSurfaceFeed : public QObject {
  Q_OBJECT
 public:
  ProposalSurfaceFeed(ViewerModel* model, SurfaceView* view, QObject* parent = nullptr);
  bool isBusy() const { return timer_.isActive() || updater_->isBusy(); }
  // Starts meshing the pending labels now rather than after the coalescing delay.
  void flush();

 Q_SIGNALS:
  void proposalSurfacesShown();

 private:
  void onProposalChanged();
  void onReady(const std::vector<core::LabelSurface>& surfaces, quint64 ticket);

  ViewerModel* model_;
  SurfaceView* view_;
  SurfaceUpdater* updater_;
  QTimer timer_;         // coalesces a burst of changes (a stroke on a proposal slice) into one mesh
  quint64 wanted_ = 0;   // the ticket of the latest request; older results are stale
};

}  // namespace protolabel::ui
