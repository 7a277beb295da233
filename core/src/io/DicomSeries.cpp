#include "protolabel/core/io/DicomSeries.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "FileChecks.h"
#include "Gzip.h"
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

std::string trimmed(std::string s) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c) && c != '\0'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

// Fills the descriptive fields from the first file's header.
void describeFromHeader(DicomSeriesInfo& info) {
  auto io = itk::GDCMImageIO::New();
  io->SetFileName(info.files.front());
  io->LoadPrivateTagsOff();
  io->ReadImageInformation();
  std::string value;
  if (io->GetValueFromTag("0020|000e", value)) info.seriesInstanceUid = trimmed(value);
  if (io->GetValueFromTag("0020|0011", value)) info.seriesNumber = trimmed(value);
  if (io->GetValueFromTag("0008|103e", value)) info.description = trimmed(value);
  if (io->GetValueFromTag("0008|0060", value)) info.modality = trimmed(value);
  info.columns = static_cast<int>(io->GetDimensions(0));
  info.rows = static_cast<int>(io->GetDimensions(1));
  info.frames = io->GetNumberOfDimensions() > 2 ? std::max(1, static_cast<int>(io->GetDimensions(2))) : 1;
}

// The folder GDCM should scan: the folder itself, or a private copy with gzipped files inflated.
std::string prepareScanFolder(const std::string& folder, std::shared_ptr<TempFolder>& inflated) {
  std::vector<fs::path> files;
  bool anyGzip = false;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    files.push_back(it->path());
    anyGzip = anyGzip || isInflatableDicomCandidate(it->path());
  }
  if (!anyGzip) return folder;

  inflated = TempFolder::create("dicom");
  int counter = 0;
  for (const fs::path& file : files) {
    // Numbered names keep files from different subfolders apart.
    const std::string prefix = std::to_string(counter++) + "_";
    if (isInflatableDicomCandidate(file) && isGzipFile(file.string())) {
      const std::string stem = file.stem().string();  // drops ".gz"
      inflateGzipFile(file.string(), (fs::path(inflated->path()) / (prefix + stem)).string());
    } else {
      fs::create_symlink(fs::absolute(file), fs::path(inflated->path()) / (prefix + file.filename().string()), ec);
    }
  }
  return inflated->path();
}

std::vector<DicomSeriesInfo> scanFolder(const std::string& folder) {
  std::shared_ptr<TempFolder> inflated;
  const std::string scanFolderPath = prepareScanFolder(folder, inflated);

  auto names = itk::GDCMSeriesFileNames::New();
  names->SetGlobalWarningDisplay(false);
  names->SetUseSeriesDetails(true);  // splits by series number, rows, columns, ...
  names->AddSeriesRestriction("0020|0037");  // ... and by orientation
  names->SetRecursive(true);
  names->SetLoadSequences(false);
  names->SetLoadPrivateTags(false);
  names->SetInputDirectory(scanFolderPath);

  std::vector<DicomSeriesInfo> result;
  for (const std::string& id : names->GetSeriesUIDs()) {
    DicomSeriesInfo info;
    info.id = id;
    info.files = names->GetFileNames(id);
    if (info.files.empty()) continue;
    info.inflatedFiles = inflated;
    try {
      describeFromHeader(info);
    } catch (const itk::ExceptionObject&) {
      continue;  // not an image (structured report, RT plan, ...)
    }
    result.push_back(std::move(info));
  }
  // Largest series first: usually the one the user wants.
  std::stable_sort(result.begin(), result.end(), [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
    return int64_t(a.sliceCount()) * a.rows * a.columns > int64_t(b.sliceCount()) * b.rows * b.columns;
  });
  return result;
}

std::vector<DicomSeriesInfo> scanFile(const std::string& file) {
  DicomSeriesInfo info;
  std::string readable = file;
  if (isInflatableDicomCandidate(file) && isGzipFile(file)) {
    auto inflated = TempFolder::create("dicom");
    readable = (fs::path(inflated->path()) / fs::path(file).stem()).string();
    inflateGzipFile(file, readable);
    info.inflatedFiles = inflated;
  }
  auto io = itk::GDCMImageIO::New();
  if (!io->CanReadFile(readable.c_str())) return {};
  info.files = {readable};
  try {
    describeFromHeader(info);
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorCode::CorruptFile,
                file + " looks like DICOM but its header cannot be read (" + std::string(e.GetDescription()) + ").",
                file);
  }
  info.id = info.seriesInstanceUid.empty() ? fs::path(file).filename().string() : info.seriesInstanceUid;
  return {info};
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
  if (fs::is_directory(path, ec)) {
    requireReadableDirectory(path);
    return scanFolder(path);
  }
  requireReadableFile(path);
  return scanFile(path);
}

}  // namespace protolabel::core
