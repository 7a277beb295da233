#pragma once
// Finding DICOM series in a folder or file and describing them for a series picker.
#include <memory>
#include <string>
#include <vector>

namespace protolabel::core {

struct DicomSeriesInfo {
  std::string id;                 // unique within one scan (UID plus the details that split it)
  std::string seriesInstanceUid;  // may be empty in anonymised data
  std::string seriesNumber;
  std::string description;
  std::string modality;
  int rows = 0;
  int columns = 0;
  int frames = 1;  // frames in the first file (more than one for enhanced multi-frame)
  // The first file's display window (first value of WindowCenter/WindowWidth); width 0 when absent.
  double windowCenter = 0, windowWidth = 0;
  std::vector<std::string> files;  // sorted along the slice normal
  // Files GDCM could not parse at all (they were left out of every series).
  std::vector<std::string> skippedFiles;
  // Private folders (inflated copies of gzipped files, links to parseable files) that must live as
  // long as the series is in use.
  std::vector<std::shared_ptr<void>> temporaryFolders;

  int sliceCount() const { return files.size() == 1 ? frames : static_cast<int>(files.size()); }
  std::string summary() const;
};

// Scans a folder (recursively) or a single file. Gzipped files (`*.dcm.gz`, `*.gz`) are inflated to a
// private temporary folder first. Series are grouped by SeriesInstanceUID and split further where
// series number, orientation or image size differ. Returns an empty list when nothing is DICOM.
// GDCM runs in a child process here: files that would abort it are skipped (or, for a single file,
// reported as CorruptFile) rather than crashing the application.
std::vector<DicomSeriesInfo> scanDicomSeries(const std::string& path);

}  // namespace protolabel::core
