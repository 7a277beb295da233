// protolabel convert IN OUT [--series N] [--labels] [--replace-nan] [--no-compress]
//                           [--reference-dicom DIR] [--algorithm manual|semiautomatic|automatic]
// Any readable image or label file to any writable format. Label files keep their names and colours.
// OUT.dcm writes the labels as a DICOM Segmentation referencing the series in --reference-dicom
// (--series picks one of several there); a SEG as IN is read onto that series' grid when given,
// else onto the grid its own frames describe.
#include <filesystem>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/DicomSeg.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"

namespace protolabel::app {

namespace {

bool isDcmPath(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".dcm" || ext == ".DCM";
}

// Label files are recognised by their format (.seg.nrrd, DICOM SEG), by a label description beside
// them, or because the output asks for a segmentation.
bool treatAsLabels(const CommandLine& cl, const std::string& in, const std::string& out) {
  std::error_code ec;
  return cl.flag("labels") || core::isSegNrrdPath(in) || core::isSegNrrdPath(out) || isDcmPath(out) ||
         core::isDicomSegFile(in) || std::filesystem::exists(core::labelDescriptionPathFor(in), ec);
}

core::SegAlgorithm parseAlgorithm(const std::string& name) {
  if (name == "manual") return core::SegAlgorithm::Manual;
  if (name == "semiautomatic") return core::SegAlgorithm::SemiAutomatic;
  if (name == "automatic") return core::SegAlgorithm::Automatic;
  throw UsageError("--algorithm is manual, semiautomatic or automatic, not '" + name + "'");
}

core::LabelMap readLabels(const CommandLine& cl, const std::string& in) {
  const std::optional<std::string> reference = cl.option("reference-dicom");
  if (core::isDicomSegFile(in)) {
    if (reference) return core::readDicomSegOnSeries(in, *reference, cl.intOption("series"));
    return core::readDicomSeg(in);
  }
  return core::readLabelMap(in);
}

}  // namespace

int runConvert(const Args& args) {
  const CommandLine cl(args, {"labels", "replace-nan", "no-compress"}, {"series", "reference-dicom", "algorithm"});
  if (cl.positional().size() != 2) throw UsageError("convert takes an input and an output path");
  const std::string& in = cl.positional()[0];
  const std::string& out = cl.positional()[1];
  const bool toSeg = isDcmPath(out);
  if (!toSeg && !core::isWritableImagePath(out))
    throw UsageError("cannot write " + out + ": use .nii, .nii.gz, .nrrd, .seg.nrrd, .nhdr, .mha, .mhd or .dcm (DICOM SEG)");
  if (cl.option("algorithm") && !toSeg) throw UsageError("--algorithm applies to DICOM Segmentation output (.dcm) only");
  if (cl.option("reference-dicom") && !toSeg && !core::isDicomSegFile(in))
    throw UsageError("--reference-dicom applies to DICOM Segmentations (a SEG as input or .dcm as output)");

  core::WriteOptions writeOptions;
  writeOptions.compress = !cl.flag("no-compress");
  writeOptions.protectedPaths = {in};

  if (toSeg) {
    const std::optional<std::string> reference = cl.option("reference-dicom");
    if (!reference)
      throw core::Error(core::ErrorCode::InvalidArgument,
                        "A DICOM Segmentation refers to the DICOM series the labels were drawn on: give it with "
                        "--reference-dicom DIR.");
    core::checkOutputPath(out, writeOptions);
    const core::LabelMap labels = readLabels(cl, in);
    core::DicomSegWriteOptions segOptions;
    segOptions.seriesIndex = cl.intOption("series");
    segOptions.alignToReference = true;
    segOptions.algorithm = parseAlgorithm(cl.option("algorithm", "semiautomatic"));
    segOptions.protectedPaths = {in};
    const core::DicomSegSummary summary = core::writeDicomSeg(labels, *reference, out, segOptions);
    for (const std::string& w : summary.warnings) std::cerr << "Warning: " << w << "\n";
    std::cout << "Wrote " << out << " (DICOM Segmentation, " << summary.segments << " segments, " << summary.frames
              << " frames)\n";
    return 0;
  }

  if (treatAsLabels(cl, in, out)) {
    core::checkOutputPath(out, writeOptions);
    const core::LabelMap labels = readLabels(cl, in);
    core::writeLabelMap(labels, labels.geometry(), out, writeOptions);
    std::cout << "Wrote " << out << " (" << labels.table().size() << " labels)\n";
    return 0;
  }

  core::ReadOptions readOptions;
  readOptions.seriesIndex = cl.intOption("series");
  readOptions.replaceNonFinite = cl.flag("replace-nan");
  const core::LoadedImage image = core::readImage(in, readOptions);
  for (const std::string& w : image.warnings) std::cerr << "Warning: " << w << "\n";
  core::writeImage(image.volume, out, writeOptions);
  std::cout << "Wrote " << out << " (" << image.volume.geometry().describe() << ", "
            << core::pixelTypeName(image.volume.pixelType()) << ")\n";
  return 0;
}

}  // namespace protolabel::app
