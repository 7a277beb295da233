#include "ProposalSurfaceFeed.h"

#include <set>

#include "protolabel/ui/SurfaceView.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

ProposalSurfaceFeed::ProposalSurfaceFeed(ViewerModel* model, SurfaceView* view, QObject* parent)
    : QObject(parent), model_(model), view_(view), updater_(new SurfaceUpdater(this)) {
  timer_.setSingleShot(true);
  timer_.setInterval(100);
  connect(&timer_, &QTimer::timeout, this, &ProposalSurfaceFeed::flush);
  connect(updater_, &SurfaceUpdater::surfacesReady, this, &ProposalSurfaceFeed::onReady);
  connect(model_, &ViewerModel::proposalChanged, this, &ProposalSurfaceFeed::onProposalChanged);
  connect(model_, &ViewerModel::overlaysChanged, this,
          [this] { view_->setProposalVisible(model_->overlays().showProposal); });
}

void ProposalSurfaceFeed::onProposalChanged() {
  const core::Proposal* proposal = model_->session().proposal();
  const std::set<uint16_t> pending = proposal ? proposal->pending : std::set<uint16_t>{};
  view_->keepProposalLabels(pending);
  // Whatever is meshing now describes the proposal as it was.
  updater_->discard();
  wanted_ = 0;
  if (pending.empty())
    timer_.stop();
  else
    timer_.start();
}

void ProposalSurfaceFeed::flush() {
  timer_.stop();
  const core::Proposal* proposal = model_->session().proposal();
  if (!proposal || proposal->pending.empty()) return;
  wanted_ = updater_->request(proposal->labels, std::vector<uint16_t>(proposal->pending.begin(), proposal->pending.end()));
}

void ProposalSurfaceFeed::onReady(const std::vector<core::LabelSurface>& surfaces, quint64 ticket) {
  if (ticket != wanted_) return;
  view_->setProposalSurfaces(surfaces, model_->session().table());
  Q_EMIT proposalSurfacesShown();
}

}  // namespace protolabel::ui
