#include "protolabel/core/io/DicomSeries.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "FileChecks.h"
#include "CrashIsolation.h"
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

// GDCM's series discovery plus a header read of each series' first file. May abort on malformed
// files, so it only runs inside runIsolated().
std::vector<DicomSeriesInfo> scanFolderUnsafe(const std::string& scanFolderPath) {
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

// Series lists cross the process boundary as text: records, fields and file names split by the
// ASCII separator characters, which never occur in DICOM strings or sane paths.
constexpr char kRecord = '\x1e', kField = '\x1f', kItem = '\x1d';

std::string serialize(const std::vector<DicomSeriesInfo>& list) {
  std::string out;
  for (const DicomSeriesInfo& s : list) {
    for (const std::string* f : {&s.id, &s.seriesInstanceUid, &s.seriesNumber, &s.description, &s.modality})
      out += *f + kField;
    out += std::to_string(s.rows) + kField + std::to_string(s.columns) + kField + std::to_string(s.frames) + kField;
    for (const std::string& file : s.files) out += file + kItem;
    out += kRecord;
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0, end;
  while ((end = text.find(separator, start)) != std::string::npos) {
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<DicomSeriesInfo> deserialize(const std::string& text) {
  std::vector<DicomSeriesInfo> list;
  for (const std::string& record : split(text, kRecord)) {
    const std::vector<std::string> f = split(record + kField, kField);
    if (f.size() < 9) continue;
    DicomSeriesInfo s;
    s.id = f[0];
    s.seriesInstanceUid = f[1];
    s.seriesNumber = f[2];
    s.description = f[3];
    s.modality = f[4];
    s.rows = std::stoi(f[5]);
    s.columns = std::stoi(f[6]);
    s.frames = std::stoi(f[7]);
    s.files = split(f[8], kItem);
    list.push_back(std::move(s));
  }
  return list;
}

[[noreturn]] void rethrow(const IsolatedOutcome& outcome, const std::string& path) {
  if (outcome.errorCode >= 0) throw Error(static_cast<ErrorCode>(outcome.errorCode), outcome.output, path);
  throw Error(ErrorCode::CorruptFile, path + " cannot be read as DICOM: " + outcome.output, path);
}

enum class Parse { Readable, NotAnImage, Aborts };

// Whether GDCM reads `file`'s image header, fails cleanly (not DICOM, no image), or aborts on it.
Parse probeFile(const std::string& file) {
  const IsolatedOutcome probe = runIsolated([&] {
    auto io = itk::GDCMImageIO::New();
    if (!io->CanReadFile(file.c_str())) return std::string("no");
    io->SetFileName(file);
    io->ReadImageInformation();
    return std::string("yes");
  });
  if (probe.status == IsolatedOutcome::Status::Crashed) return Parse::Aborts;
  return probe.status == IsolatedOutcome::Status::Succeeded && probe.output == "yes" ? Parse::Readable
                                                                                     : Parse::NotAnImage;
}

// When a scan aborts, checks each file on its own and scans again without the ones that abort GDCM.
std::vector<DicomSeriesInfo> scanWithoutCrashingFiles(const std::string& scanFolderPath, const std::string& folder) {
  auto safe = TempFolder::create("dicom-safe");
  std::vector<std::string> skipped;
  std::error_code ec;
  int counter = 0;
  for (auto it = fs::recursive_directory_iterator(scanFolderPath, fs::directory_options::follow_directory_symlink |
                                                                       fs::directory_options::skip_permission_denied,
                                                  ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string file = it->path().string();
    const Parse parse = probeFile(file);
    if (parse == Parse::Readable)
      fs::create_symlink(fs::absolute(it->path()),
                         fs::path(safe->path()) / (std::to_string(counter++) + "_" + it->path().filename().string()), ec);
    else if (parse == Parse::Aborts)
      skipped.push_back(file);
  }
  const IsolatedOutcome outcome = runIsolated([&] { return serialize(scanFolderUnsafe(safe->path())); });
  if (outcome.status == IsolatedOutcome::Status::Crashed)
    throw Error(ErrorCode::CorruptFile, "The DICOM files in " + folder + " are too damaged to read.", folder);
  if (outcome.status == IsolatedOutcome::Status::Failed) rethrow(outcome, folder);
  std::vector<DicomSeriesInfo> result = deserialize(outcome.output);
  for (DicomSeriesInfo& s : result) {
    s.temporaryFolders.push_back(safe);
    s.skippedFiles = skipped;
  }
  return result;
}

std::vector<DicomSeriesInfo> scanFolder(const std::string& folder) {
  std::shared_ptr<TempFolder> inflated;
  const std::string scanFolderPath = prepareScanFolder(folder, inflated);
  const IsolatedOutcome outcome = runIsolated([&] { return serialize(scanFolderUnsafe(scanFolderPath)); });
  if (outcome.status == IsolatedOutcome::Status::Crashed) {
    std::vector<DicomSeriesInfo> result = scanWithoutCrashingFiles(scanFolderPath, folder);
    for (DicomSeriesInfo& s : result) s.temporaryFolders.push_back(inflated);
    return result;
  }
  if (outcome.status == IsolatedOutcome::Status::Failed) rethrow(outcome, folder);
  std::vector<DicomSeriesInfo> result = deserialize(outcome.output);
  for (DicomSeriesInfo& s : result) s.temporaryFolders.push_back(inflated);
  return result;
}

std::vector<DicomSeriesInfo> scanFile(const std::string& file) {
  std::shared_ptr<TempFolder> inflated;
  std::string readable = file;
  if (isInflatableDicomCandidate(file) && isGzipFile(file)) {
    inflated = TempFolder::create("dicom");
    readable = (fs::path(inflated->path()) / fs::path(file).stem()).string();
    inflateGzipFile(file, readable);
  }
  const IsolatedOutcome outcome = runIsolated([&]() -> std::string {
    auto io = itk::GDCMImageIO::New();
    if (!io->CanReadFile(readable.c_str())) return {};
    DicomSeriesInfo described;
    described.files = {readable};
    try {
      describeFromHeader(described);
    } catch (const itk::ExceptionObject& e) {
      throw Error(ErrorCode::CorruptFile,
                  file + " looks like DICOM but its header cannot be read (" + std::string(e.GetDescription()) + ").",
                  file);
    }
    described.id = described.seriesInstanceUid.empty() ? fs::path(file).filename().string() : described.seriesInstanceUid;
    return serialize({described});
  });
  if (outcome.status == IsolatedOutcome::Status::Crashed)
    throw Error(ErrorCode::CorruptFile, file + " is a damaged DICOM file that cannot be parsed.", file);
  if (outcome.status == IsolatedOutcome::Status::Failed) rethrow(outcome, file);
  std::vector<DicomSeriesInfo> result = deserialize(outcome.output);
  for (DicomSeriesInfo& s : result) s.temporaryFolders.push_back(inflated);
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
  if (fs::is_directory(path, ec)) {
    requireReadableDirectory(path);
    return scanFolder(path);
  }
  requireReadableFile(path);
  return scanFile(path);
}

}  // namespace protolabel::core
