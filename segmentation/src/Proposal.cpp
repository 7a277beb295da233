#include "protolabel/segmentation/Proposal.h"

namespace protolabel::segmentation {

core::Proposal toProposal(PipelineResult result, const ExampleSet& examples) {
  core::Proposal p;
  p.labels = std::move(result.labels);
  p.uncertainty = std::move(result.uncertainty);
  p.sliceUncertainty = std::move(result.sliceUncertainty);
  p.axis = result.axis;
  for (const LabelExamples& l : examples.labels) p.pending.insert(l.label);
  return p;
}

}  // namespace protolabel::segmentation
