#pragma once
// One training episode of the reference (train.py plus FewShotSeg.forward(train=True)): support and
// query encoded as one batch, the query segmented from the support's prototypes, and, when the
// predicted query mask has foreground, the reverse alignment, prototype consistency and
// self-prediction terms. L = L_q + L_align + 0.3 L_aux + 0.5 L_b + 0.3 L_ssp.
#include <torch/torch.h>

#include "CowNet.h"

namespace protolabel::inference::nn {

struct EpisodeLosses {
  torch::Tensor query, boundary, align, aux, ssp, total;  // scalars; align/aux/ssp are 0 when skipped
  torch::Tensor probabilities;                              // the query prediction Y, 1 x 2 x S x S
  bool alignmentRan = false;
};

// Images are 1 x 3 x S x S, masks and labels S x S (0/1). Draws are consumed in the reference's order.
EpisodeLosses episodeLosses(CowNet& net, const torch::Tensor& supportImage, const torch::Tensor& supportMask,
                            const torch::Tensor& queryImage, const torch::Tensor& queryLabel, DrawSource& draws);

}  // namespace protolabel::inference::nn
