// protolabel demo [--output DIR] [--organs 5,1,2,3] [--threads N] [--device D]
// The main job without a display: opens the bundled sample CT, takes one axial slice of each organ
// from the sample's label map as if the user had brushed it, segments all organs in one pass with
// the shipped model, accepts the result, prints Dice against the label map, and exports the labels
// (NIfTI, .seg.nrrd, ITK-SNAP labels, STL meshes) to DIR.
#include <QDir>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "CommandLine.h"
#include "Commands.h"
#include "ModelLocation.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelExport.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/Pipeline.h"
#include "protolabel/segmentation/Proposal.h"
#include "PipelineArgs.h"

namespace protolabel::app {

int runDemo(const Args& args) {
  const CommandLine cl(args, withPipelineFlags({}), withPipelineOptions({"output", "organs", "threads", "device", "model", "seed"}));
  const SamplePaths sample = samplePaths();
  if (sample.image.empty()) throw UsageError("the bundled sample was not found next to the executable");
  const std::string output = cl.option("output", QDir::tempPath().toStdString() + "/protolabel-demo");
  QDir().mkpath(QString::fromStdString(output));
  inference::setCpuThreads(cl.intOption("threads").value_or(2));

  core::AnnotationSession session;
  session.setImage(core::readImage(sample.image).volume, sample.image);
  const core::LabelMap truth = core::readLabelMap(sample.labels);
  std::cout << "Opened " << sample.image << " (" << session.image().size()[0] << " x " << session.image().size()[1]
            << " x " << session.image().size()[2] << ")\n";
  for (int64_t organ : cl.intListOption("organs", 1, 65535).value_or(std::vector<int64_t>{5, 1, 2, 3})) {
    const int64_t middle = session.copyMiddleSupportSlice(truth, uint16_t(organ));
    if (middle >= 0) std::cout << "Example: " << session.table().find(uint16_t(organ))->name << " on axial slice " << middle << "\n";
  }

  const std::string modelPath = cl.option("model", defaultModelPath());
  const auto model = inference::Model::load(modelPath, inference::parseDevice(cl.option("device", "auto")));
  const segmentation::ExampleSet examples = segmentation::examplesFromSession(session);
  segmentation::PipelineInput input;
  input.image = &session.image();
  input.examples = examples;
  const auto start = std::chrono::steady_clock::now();
  segmentation::PipelineResult result = segmentation::Pipeline(model).run(input, pipelineOptionsFromArgs(cl));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Segmented " << examples.labels.size() << " organs in one pass in " << std::fixed << std::setprecision(2)
            << seconds << " s with " << modelPath;
  if (result.adaptIterations) std::cout << " (adapted to the scan: " << result.adaptIterations << " steps)";
  std::cout << "\n";
  session.setProposal(segmentation::toProposal(std::move(result), examples));
  for (const auto& l : examples.labels) session.accept(l.label);
  const core::Volume truthVoxels = truth.voxels().convertedTo(core::PixelType::UInt16);
  const core::Size3& size = session.image().size();
  const int64_t dims[3] = {size[0], size[1], size[2]};
  for (const auto& l : examples.labels)
    std::cout << "  " << std::left << std::setw(16) << session.table().find(l.label)->name << " Dice "
              << std::setprecision(3)
              << core::dice3d(session.labels().voxels().data<uint16_t>(), truthVoxels.data<uint16_t>(), dims, l.label)
              << "\n";

  core::ExportRequest request;
  request.folder = output;
  request.baseName = "abdomen_ct_labels";
  request.nifti = request.segNrrd = request.itkSnapLabels = request.meshes = true;
  request.protectedPaths = {sample.image};
  const auto written = core::exportLabels(session.labels(), session.image().geometry(), request);
  std::cout << "Exported " << written.size() << " files to " << output << "\n";
  return 0;
}

}  // namespace protolabel::app
