#pragma once
// A pipeline result as the annotation session's proposal: shown apart from the user's labels until
// each structure is accepted or discarded.
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/segmentation/Examples.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::segmentation {

// Every structure of `examples` becomes pending.
core::Proposal toProposal(PipelineResult result, const ExampleSet& examples);

}  // namespace protolabel::segmentation
