#pragma once
// The segmentation pipeline's options on the command line, shared by segment, evaluate and demo, so
// every headless command runs the pipeline with the viewer's defaults unless told otherwise.
#include <map>
#include <set>
#include <string>

#include "CommandLine.h"
#include "protolabel/segmentation/Pipeline.h"

namespace protolabel::app {

// --modality ct|mr|auto, --adapt SECONDS, and the tuning switches used to measure each lever:
// --no-propagate, --no-connected, --origin-weight W, --continuity-mm D, --stop-fraction F; and the
// user's extent, --slice-range.
const std::set<std::string>& pipelineFlags();
const std::set<std::string>& pipelineOptions();
segmentation::PipelineOptions pipelineOptionsFromArgs(const CommandLine& cl);
// --slice-range LABEL:FIRST-LAST[,...]: each structure only on those slices (indices from 0).
std::map<uint16_t, std::pair<int64_t, int64_t>> parseSliceRanges(const std::string& text);

// `base` plus the pipeline's names, for a command's CommandLine.
std::set<std::string> withPipelineFlags(std::set<std::string> base);
std::set<std::string> withPipelineOptions(std::set<std::string> base);

}  // namespace protolabel::app
