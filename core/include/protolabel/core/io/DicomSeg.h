#pragma once
// DICOM Segmentation objects (SEG, SOP Class 1.2.840.10008.5.1.4.1.1.66.4): label maps written as
// binary SEGs that reference the DICOM series they were drawn on, and SEGs read back into label maps.
//
// Writing: one segment per label value present in the map, in increasing order, numbered 1, 2, ...
// Each segment carries the label's name (Segment Label), its colour (Recommended Display CIELab Value),
// a coded category and type (SNOMED CT: a few organs by name, else "Tissue") and the label value
// itself in Segment Description ("label value N"), so that reading restores the values. A frame is
// written for each slice that holds the segment; slices without it are left out, except that the
// first and the last slice of the series always have a frame (an empty one if need be) so that the
// SEG's own geometry spans the whole series. Every frame names the source slice it lies on (Derivation
// Image and Source Image references) and carries its Plane Position; orientation and pixel measures
// are shared.
//
// Reading: values come from "label value N" in Segment Description, else the segment number; names and
// colours go into the table. Where segments overlap, the segment with the higher number wins.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protolabel/core/LabelMap.h"

namespace protolabel::core {

inline constexpr const char* kSegmentationStorageUid = "1.2.840.10008.5.1.4.1.1.66.4";

enum class SegAlgorithm { Manual, SemiAutomatic, Automatic };

struct DicomSegWriteOptions {
  // Which series of the reference to write against (index into scanDicomSeries()); by default the
  // series whose grid the labels lie on.
  std::optional<int> seriesIndex;
  // Labels on the same voxel lattice as the series but stored with flipped or permuted axes are carried
  // onto the series' grid (voxels moved, never interpolated); otherwise they must lie on it exactly.
  bool alignToReference = false;
  SegAlgorithm algorithm = SegAlgorithm::SemiAutomatic;
  std::string algorithmName = "ProtoLabel";
  std::string seriesDescription = "ProtoLabel segmentation";
  std::string softwareVersion;  // Software Versions; empty: "ProtoLabel <version>"
  // Never replaced (the files of the reference series are protected as well).
  std::vector<std::string> protectedPaths;
};

struct DicomSegSummary {
  int segments = 0;
  int frames = 0;
  std::vector<std::string> warnings;  // missing UIDs in the source, labels carried onto the grid, ...
};

// Writes `labels` as a binary SEG at `path`, referencing the DICOM series in `referenceDicom` (a
// folder or a file). The series must be classic single-frame slices. Throws core::Error: no DICOM in
// the reference, several series and none matching, labels not on the series' grid, no labels, the
// output being one of the inputs, failed writes. The file is written atomically.
DicomSegSummary writeDicomSeg(const LabelMap& labels, const std::string& referenceDicom, const std::string& path,
                              const DicomSegWriteOptions& options = {});

// True when `path` is a DICOM file (with the "DICM" preamble) whose SOP Class is Segmentation Storage.
bool isDicomSegFile(const std::string& path);
// True when `path` is a DICOM file with the "DICM" preamble (of any SOP Class).
bool isDicomPart10File(const std::string& path);

// Reads a SEG onto the grid its frames describe: Plane Orientation, Pixel Spacing, Spacing Between
// Slices (else the smallest gap between frames) and the span of the Plane Positions.
LabelMap readDicomSeg(const std::string& path);
// Reads a SEG onto `grid`: every frame must lie on one of its slices (else ErrorCode::GridMismatch).
LabelMap readDicomSeg(const std::string& path, const ImageGeometry& grid);
// Reads a SEG onto the grid of the DICOM series it was made on (a folder or a file, as ProtoLabel reads
// it): the series `seriesIndex`, else the only one, else the one the SEG references. The Frames of
// Reference must agree.
LabelMap readDicomSegOnSeries(const std::string& path, const std::string& referenceDicom,
                              std::optional<int> seriesIndex = {});

// sRGB bytes to DICOM's scaled CIELab (PS3.3 C.10.7.1.1: L 0..100 and a, b -128..127 onto 0..65535)
// and back (rounded, clamped).
std::array<uint16_t, 3> rgbToDicomLab(const std::array<uint8_t, 3>& rgb);
std::array<uint8_t, 3> dicomLabToRgb(const std::array<uint16_t, 3>& lab);

struct SegCode {
  std::string value, scheme, meaning;
};
struct SegPropertyCodes {
  SegCode category, type;
  std::optional<SegCode> modifier;  // laterality
};
// The Segmented Property Category and Type for a label name: SNOMED CT codes for common organs
// ("liver", "kidney_left", "Right kidney", ...), else Anatomical Structure / Tissue.
SegPropertyCodes segPropertyCodesFor(const std::string& labelName);

}  // namespace protolabel::core
