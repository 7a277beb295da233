#pragma once
// Exporting a label map in every format a user may need at once: NIfTI and NRRD (each with an
// ITK-SNAP label description beside it), Slicer's .seg.nrrd, the ITK-SNAP label file alone, one STL
// mesh per label in LPS, and a DICOM Segmentation referencing the DICOM series the image came from.
// All on the image's grid, every file written atomically.
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

struct ExportRequest {
  std::string folder;
  std::string baseName;  // e.g. "patient1_labels" -> patient1_labels.nii.gz, patient1_labels.seg.nrrd, ...
  bool nifti = true;
  bool nrrd = false;
  bool segNrrd = false;
  bool itkSnapLabels = false;  // <base>.txt (the description alone, for ITK-SNAP's label editor)
  bool meshes = false;         // <base>_<value>_<name>.stl
  bool dicomSeg = false;       // <base>.dcm, a DICOM SEG referencing `dicomReference`
  std::string dicomReference;  // the DICOM folder or file the image was read from
  std::vector<std::string> protectedPaths;  // the source image: never overwritten
};

// Returns the files written. Throws core::Error (grid mismatch, unwritable folder, nothing chosen).
std::vector<std::string> exportLabels(const LabelMap& labels, const ImageGeometry& imageGrid, const ExportRequest& request);

}  // namespace protolabel::core
