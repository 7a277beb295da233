// protolabel convert IN OUT [--series N] [--labels] [--replace-nan] [--no-compress]
// Any readable image or label file to any writable format. Label files keep their names and colours.
#include <filesystem>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"

namespace protolabel::app {

namespace {

// Label files are recognised by their format (.seg.nrrd), by a label description beside them, or
// because the output asks for a segmentation.
bool treatAsLabels(const CommandLine& cl, const std::string& in, const std::string& out) {
  std::error_code ec;
  return cl.flag("labels") || core::isSegNrrdPath(in) || core::isSegNrrdPath(out) ||
         std::filesystem::exists(core::labelDescriptionPathFor(in), ec);
}

}  // namespace

int runConvert(const Args& args) {
  const CommandLine cl(args, {"labels", "replace-nan", "no-compress"}, {"series"});
  if (cl.positional().size() != 2) throw UsageError("convert takes an input and an output path");
  const std::string& in = cl.positional()[0];
  const std::string& out = cl.positional()[1];
  if (!core::isWritableImagePath(out))
    throw UsageError("cannot write " + out + ": use .nii, .nii.gz, .nrrd, .seg.nrrd, .nhdr, .mha or .mhd");

  core::WriteOptions writeOptions;
  writeOptions.compress = !cl.flag("no-compress");
  writeOptions.protectedPaths = {in};

  if (treatAsLabels(cl, in, out)) {
    const core::LabelMap labels = core::readLabelMap(in);
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
