#include "PipelineArgs.h"

#include <sstream>

#include "protolabel/core/WholeNumber.h"


namespace protolabel::app {

const std::set<std::string>& pipelineFlags() {
  static const std::set<std::string> flags{"no-propagate", "no-connected", "fill-holes", "no-fill-holes", "mirror"};
  return flags;
}

const std::set<std::string>& pipelineOptions() {
  static const std::set<std::string> options{"modality", "adapt", "adapt-iterations", "adapt-lr", "origin-weight", "continuity-mm", "stop-fraction", "intensity-gate", "gate-smoothing", "threshold", "min-resemblance", "slice-range", "memory-budget-mb"};
  return options;
}

std::set<std::string> withPipelineFlags(std::set<std::string> base) {
  base.insert(pipelineFlags().begin(), pipelineFlags().end());
  return base;
}

std::set<std::string> withPipelineOptions(std::set<std::string> base) {
  base.insert(pipelineOptions().begin(), pipelineOptions().end());
  return base;
}

segmentation::PipelineOptions pipelineOptionsFromArgs(const CommandLine& cl) {
  segmentation::PipelineOptions o;
  o.modality = segmentation::parseModality(cl.option("modality", "auto"));
  o.adaptSeconds = cl.numberOption("adapt", 0, 3600).value_or(o.adaptSeconds);
  o.adaptIterations = cl.intOption("adapt-iterations", 1, 1000000).value_or(o.adaptIterations);
  o.adaptLearningRate = cl.numberOption("adapt-lr", 1e-7, 1).value_or(o.adaptLearningRate);
  o.propagate = !cl.flag("no-propagate");
  o.keepConnected = !cl.flag("no-connected");
  o.mirror = cl.flag("mirror");
  if (cl.flag("fill-holes")) o.fillHoles = true;
  if (cl.flag("no-fill-holes")) o.fillHoles = false;
  o.gateSmoothing = int(cl.intOption("gate-smoothing", 0, 5).value_or(o.gateSmoothing));
  o.originWeight = cl.numberOption("origin-weight", 0, 1).value_or(o.originWeight);
  o.continuityMm = cl.numberOption("continuity-mm", 0, 1000).value_or(o.continuityMm);
  o.stopFraction = cl.numberOption("stop-fraction", 0, 1).value_or(o.stopFraction);
  o.minResemblance = cl.numberOption("min-resemblance", -1, 2).value_or(o.minResemblance);
  o.threshold = cl.numberOption("threshold", 0.01, 0.99).value_or(o.threshold);
  o.intensityGate = cl.numberOption("intensity-gate", 0, 100).value_or(o.intensityGate);
  if (auto seed = cl.intOption("seed")) o.seed = uint64_t(*seed);
  if (auto mb = cl.intOption("memory-budget-mb", 1, int64_t(1) << 30)) o.memoryBudgetBytes = uint64_t(*mb) << 20;
  if (auto ranges = cl.option("slice-range")) o.sliceRanges = parseSliceRanges(*ranges);
  return o;
}

std::map<uint16_t, std::pair<int64_t, int64_t>> parseSliceRanges(const std::string& text) {
  // LABEL:FIRST-LAST[,LABEL:FIRST-LAST...], slice indices from 0 along the examples' axis.
  std::map<uint16_t, std::pair<int64_t, int64_t>> ranges;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const auto colon = item.find(':'), dash = item.find('-', colon == std::string::npos ? 0 : colon);
    const auto label = colon == std::string::npos ? std::nullopt : core::parseWholeNumber(item.substr(0, colon), 1, 65535);
    const auto first = dash == std::string::npos ? std::nullopt : core::parseWholeNumber(item.substr(colon + 1, dash - colon - 1), 0);
    const auto last = dash == std::string::npos ? std::nullopt : core::parseWholeNumber(item.substr(dash + 1), 0);
    if (!label || !first || !last || *first > *last)
      throw UsageError("--slice-range expects LABEL:FIRST-LAST (e.g. 5:69-111), comma-separated, not '" + text + "'");
    ranges[uint16_t(*label)] = {*first, *last};
  }
  return ranges;
}

}  // namespace protolabel::app
