#include "Episode.h"

#include "Losses.h"

namespace protolabel::inference::nn {

EpisodeLosses episodeLosses(CowNet& net, const torch::Tensor& supportImage, const torch::Tensor& supportMask,
                            const torch::Tensor& queryImage, const torch::Tensor& queryLabel, DrawSource& draws) {
  EpisodeLosses l;
  // One batch of two, so that BatchNorm (in train mode) normalises over support and query together.
  const torch::Tensor features = net->encoder->forward(torch::cat({supportImage, queryImage}, 0)).features;
  const torch::Tensor fs = features.slice(0, 0, 1), fq = features.slice(0, 1, 2);
  const SupportPrediction support = net->selfPredict(fs, supportMask);
  const PrototypeSets sets = net->prototypes(support, supportMask, draws);
  l.probabilities = net->segment(fq, sets).probabilities;

  const torch::Tensor queryTarget = queryLabel.to(torch::kInt64).unsqueeze(0);
  const torch::Tensor supportTarget = supportMask.to(torch::kInt64).unsqueeze(0);
  l.query = querySegmentationLoss(l.probabilities, queryTarget);
  const torch::Tensor zero = torch::zeros({}, l.query.options());
  l.boundary = l.align = l.aux = l.ssp = zero;

  // The single-prototype baseline trains with PANet's objective: query loss plus alignment only.
  const bool cow = !net->config().singlePrototype();
  if (cow) l.boundary = boundaryLoss(l.probabilities, queryTarget);
  const torch::Tensor predicted = l.probabilities.argmax(1)[0].eq(1);
  l.alignmentRan = predicted.any().item<bool>();
  if (l.alignmentRan) {
    const PrototypeSets querySets = net->prototypes(net->selfPredict(fq, predicted), predicted, draws);
    l.align = clampedNll(net->segment(fs, querySets).probabilities, supportTarget);
    if (cow) {
      l.aux = prototypeConsistencyLoss(sets.fg, sets.bg, querySets.fg, querySets.bg);
      l.ssp = selfPredictionLoss(support.upsampled, supportTarget);
    }
  }
  l.total = l.query + l.align + 0.3 * l.aux + 0.5 * l.boundary + 0.3 * l.ssp;
  return l;
}

}  // namespace protolabel::inference::nn
