#include "protolabel/core/io/LabelExport.h"

#include <filesystem>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/DicomSeg.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/io/MeshExport.h"

namespace protolabel::core {

std::vector<std::string> exportLabels(const LabelMap& labels, const ImageGeometry& imageGrid, const ExportRequest& request) {
  if (!request.nifti && !request.nrrd && !request.segNrrd && !request.itkSnapLabels && !request.meshes &&
      !request.dicomSeg)
    throw Error(ErrorCode::InvalidArgument, "choose at least one export format");
  if (request.baseName.empty()) throw Error(ErrorCode::InvalidArgument, "the export needs a file name");
  if (!std::filesystem::is_directory(request.folder))
    throw Error(ErrorCode::WriteFailed, "the export folder " + request.folder + " does not exist");
  const std::string base = (std::filesystem::path(request.folder) / request.baseName).string();
  WriteOptions options;
  options.protectedPaths = request.protectedPaths;
  std::vector<std::string> written;
  auto writeImageFile = [&](const std::string& path) {
    writeLabelMap(labels, imageGrid, path, options);
    written.push_back(path);
    if (!isSegNrrdPath(path)) written.push_back(labelDescriptionPathFor(path));
  };
  if (request.nifti) writeImageFile(base + ".nii.gz");
  if (request.nrrd) writeImageFile(base + ".nrrd");
  if (request.segNrrd) writeImageFile(base + ".seg.nrrd");
  if (request.itkSnapLabels) {
    writeItkSnapLabelFile(labels.completeTable(), base + ".txt");
    written.push_back(base + ".txt");
  }
  if (request.meshes) {
    if (!labels.geometry().sameGrid(imageGrid))
      throw Error(ErrorCode::GridMismatch, "the labels are not on the image's grid");
    for (const std::string& mesh : writeLabelMeshes(labels, request.folder, request.baseName)) written.push_back(mesh);
  }
  if (request.dicomSeg) {
    if (!labels.geometry().sameGrid(imageGrid))
      throw Error(ErrorCode::GridMismatch, "the labels are not on the image's grid");
    DicomSegWriteOptions segOptions;
    segOptions.protectedPaths = request.protectedPaths;
    writeDicomSeg(labels, request.dicomReference, base + ".dcm", segOptions);
    written.push_back(base + ".dcm");
  }
  return written;
}

}  // namespace protolabel::core
