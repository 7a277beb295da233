#include "protolabel/ui/SegmentationRunner.h"

#include <chrono>

#include "protolabel/segmentation/Examples.h"
#include "protolabel/segmentation/Proposal.h"

namespace protolabel::ui {

struct SegmentationRunner::Outcome {
  std::optional<core::Proposal> proposal;
  QString error;
  bool cancelled = false;
  double seconds = 0;
  uint64_t generation = 0;
  // The model the run used, so the next run need not load it again.
  std::shared_ptr<inference::Model> model;
  QString modelPath;
  inference::Device device = inference::Device::Auto;
};

SegmentationRunner::SegmentationRunner(QObject* parent) : QObject(parent) {}

SegmentationRunner::~SegmentationRunner() {
  cancel();
  wait();
}

void SegmentationRunner::setModel(const QString& path, inference::Device device) {
  modelPath_ = path;
  device_ = device;
}

void SegmentationRunner::cancel() { cancel_ = true; }

void SegmentationRunner::wait() { work_.wait(); }

bool SegmentationRunner::start(const core::AnnotationSession& session, QString* error) {
  auto fail = [&](const QString& message) {
    if (error) *error = message;
    return false;
  };
  if (running()) return fail("a segmentation is already running");
  if (!session.hasImage()) return fail("open an image first");
  if (modelPath_.isEmpty()) return fail("no model file is selected");

  // Everything the run reads is taken now, in the GUI thread.
  struct Input {
    std::shared_ptr<const core::Volume> image;
    std::string dicomModality;
    std::shared_ptr<const SupportVolume> support;
    segmentation::SupportScan supportScan;
    segmentation::ExampleSet examples;
  };
  auto input = std::make_shared<Input>();
  input->image = session.sharedImage();
  input->dicomModality = session.dicomModality();
  input->support = supportVolume_;
  if (input->support) {
    const std::vector<uint16_t> use(input->support->use.begin(), input->support->use.end());
    input->supportScan.image = input->support->image.get();
    input->supportScan.dicomModality = input->support->dicomModality;
    input->supportScan.modality = options_.modality;
    input->supportScan.examples = segmentation::examplesFromLabelledScan(input->support->labels, use, core::Axis::Z);
    if (input->supportScan.examples.empty()) return fail("the support volume has none of those labels");
  } else {
    input->examples = segmentation::examplesFromSession(session);
    if (input->examples.empty())
      return fail("paint at least one structure on an axial slice first: painted slices are the examples");
  }
  const bool reuse = model_ && loadedPath_ == modelPath_ && loadedDevice_ == device_;
  auto model = reuse ? model_ : nullptr;
  const QString path = modelPath_;
  const inference::Device device = device_;
  const segmentation::PipelineOptions options = options_;
  const uint64_t generation = session.imageGeneration();

  cancel_ = false;
  auto run = [this, input, model, path, device, options, generation]() mutable {
    auto outcome = std::make_shared<Outcome>();
    outcome->generation = generation;
    outcome->modelPath = path;
    outcome->device = device;
    const auto start = std::chrono::steady_clock::now();
    try {
      if (!model) model = inference::Model::load(path.toStdString(), device);
      outcome->model = model;
      segmentation::PipelineInput in;
      in.image = input->image.get();
      in.dicomModality = input->dicomModality;
      in.examples = input->examples;
      if (input->support) in.support = &input->supportScan;
      segmentation::PipelineResult result =
          segmentation::Pipeline(model).run(in, options, [&](const segmentation::PipelineProgress& p) {
            work_.post([this, stage = QString::fromStdString(p.stage), p] { Q_EMIT progress(stage, p.fraction, p.etaSeconds); });
            return !cancel_.load();
          });
      outcome->proposal = segmentation::toProposal(std::move(result),
                                                   input->support ? input->supportScan.examples : input->examples);
    } catch (const segmentation::PipelineCancelled&) {
      outcome->cancelled = true;
    } catch (const std::exception& e) {
      outcome->error = QString::fromStdString(e.what());
    }
    outcome->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
  };
  work_.start(std::move(run));
  return true;
}

void SegmentationRunner::onFinished(const std::shared_ptr<Outcome>& outcome) {
  if (outcome->model) {
    model_ = outcome->model;
    loadedPath_ = outcome->modelPath;
    loadedDevice_ = outcome->device;
  }
  if (outcome->proposal) return Q_EMIT finished(std::move(*outcome->proposal), outcome->seconds, outcome->generation);
  if (outcome->cancelled) return Q_EMIT cancelled();
  Q_EMIT failed(outcome->error);
}

}  // namespace protolabel::ui
