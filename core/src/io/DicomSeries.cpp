#include "protolabel/core/io/DicomSeries.h"

#include <itkGDCMImageIO.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "CrashIsolation.h"
#include "DicomScanWork.h"
#include "DicomGrouping.h"
#include "Gzip.h"
#include "FileChecks.h"
#include "ItkBridge.h"
#include "TempFolder.h"
#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

bool isInflatableDicomCandidate(const fs::path& p) {
  const std::string name = lowercase(p.filename().string());
  return endsWith(name, ".gz") && !endsWith(name, ".nii.gz") && !endsWith(name, ".nrrd.gz");
}

// Every regular file under `path` (or `path` itself), with gzipped files inflated into `inflated`.
std::vector<std::string> collectFiles(const std::string& path, std::shared_ptr<TempFolder>& inflated) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (std::string& file : files) {
    if (!isInflatableDicomCandidate(file) || !isGzipFile(file)) continue;
    if (!inflated) inflated = TempFolder::create("dicom");
    // Numbered names keep files from different subfolders apart.
    const std::string copy = (fs::path(inflated->path()) /
                              (std::to_string(&file - files.data()) + "_" + fs::path(file).stem().string()))
                                 .string();
    inflateGzipFile(file, copy);
    file = copy;
  }
  return files;
}

[[noreturn]] void rethrow(const IsolatedOutcome& outcome, const std::string& path) {
  if (outcome.errorCode >= 0) throw Error(static_cast<ErrorCode>(outcome.errorCode), outcome.output, path);
  throw Error(ErrorCode::CorruptFile, path + " cannot be read as DICOM: " + outcome.output, path);
}

enum class Parse { Readable, NotAnImage, Aborts };

// Whether GDCM reads `file`'s image header, fails cleanly (not DICOM, no image), or aborts on it.
Parse probeFile(const std::string& file) {
  const IsolatedOutcome probe = runIsolated(HelperTask::ProbeImage, {file});
  if (probe.status == IsolatedOutcome::Status::Crashed) return Parse::Aborts;
  return probe.status == IsolatedOutcome::Status::Succeeded && probe.output == "yes" ? Parse::Readable
                                                                                     : Parse::NotAnImage;
}

// Scans in the helper process. If GDCM aborts there, probes each file on its own (in a helper of its
// own) and scans again without the files that abort it, reporting them as skipped.
std::vector<DicomSeriesInfo> scanIsolated(const std::vector<std::string>& files, const std::string& path) {
  IsolatedOutcome outcome = runIsolated(HelperTask::ScanSeries, files);
  std::vector<std::string> skipped;
  if (outcome.status == IsolatedOutcome::Status::Crashed) {
    if (files.size() == 1)
      throw Error(ErrorCode::CorruptFile, path + " is a damaged DICOM file that cannot be parsed.", path);
    std::vector<std::string> parseable;
    for (const std::string& file : files) {
      const Parse parse = probeFile(file);
      if (parse == Parse::Readable) parseable.push_back(file);
      if (parse == Parse::Aborts) skipped.push_back(file);
    }
    outcome = runIsolated(HelperTask::ScanSeries, parseable);
    if (outcome.status == IsolatedOutcome::Status::Crashed)
      throw Error(ErrorCode::CorruptFile, "The DICOM files in " + path + " are too damaged to read.", path);
  }
  if (outcome.status == IsolatedOutcome::Status::Failed) rethrow(outcome, path);
  std::vector<DicomSeriesInfo> result = deserializeSeries(outcome.output);
  for (DicomSeriesInfo& s : result) s.skippedFiles = skipped;
  return result;
}

}  // namespace

std::string DicomSeriesInfo::summary() const {
  std::ostringstream out;
  out << (description.empty() ? "(no description)" : description) << " [" << (modality.empty() ? "?" : modality)
      << "] " << columns << "x" << rows << "x" << sliceCount() << ", " << files.size() << " file"
      << (files.size() == 1 ? "" : "s");
  return out.str();
}

std::vector<DicomSeriesInfo> scanDicomSeries(const std::string& path) {
  ensureItkIoFactories();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "No such file or folder: " + path, path);
  if (fs::is_directory(path, ec))
    requireReadableDirectory(path);
  else
    requireReadableFile(path);
  std::shared_ptr<TempFolder> inflated;
  const std::vector<std::string> files = collectFiles(path, inflated);
  std::vector<DicomSeriesInfo> result = scanIsolated(files, path);
  for (DicomSeriesInfo& s : result) s.temporaryFolders.push_back(inflated);
  return result;
}

}  // namespace protolabel::core
