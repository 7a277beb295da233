#pragma once
// Label map files: NIfTI/NRRD/MetaImage with an ITK-SNAP label description alongside, Slicer's
// .seg.nrrd with its segment fields, and DICOM Segmentations (SEG, read here; written by
// DicomSeg.h's writeDicomSeg, which needs the source series). Reading restores names and colours.
#include <string>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/io/ImageWriter.h"

namespace protolabel::core {

// The ITK-SNAP label description file written next to a plain label image:
// `liver.nii.gz` -> `liver.label.txt`.
std::string labelDescriptionPathFor(const std::string& labelImagePath);
bool isSegNrrdPath(const std::string& path);

// Writes `labels` to `path`. The label map must lie on `imageGrid` (the grid of the image it
// annotates), else ErrorCode::GridMismatch. For plain formats the label description file is written
// beside it; for .seg.nrrd names and colours go into the header.
void writeLabelMap(const LabelMap& labels, const ImageGeometry& imageGrid, const std::string& path,
                   const WriteOptions& options = {});

// Reads a label image (uint8 or uint16; other integer types are converted) with its names and
// colours: from the .seg.nrrd header or the label description file beside it, else defaults.
// A DICOM SEG comes back on the grid its frames describe; any other DICOM file is refused
// (ErrorCode::UnsupportedFormat: it is an image, not labels).
LabelMap readLabelMap(const std::string& path);

// readLabelMap() for the labels of an open image on `imageGrid`: a DICOM SEG is placed onto that grid
// (its frames may cover only some slices); any file whose labels do not lie on it is refused with
// ErrorCode::GridMismatch.
LabelMap readLabelMapOnGrid(const std::string& path, const ImageGeometry& imageGrid);

}  // namespace protolabel::core
