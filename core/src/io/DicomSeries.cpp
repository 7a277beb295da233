#include "protolabel/core/io/DicomSeries.h"

#include <itkGDCMImageIO.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "CrashIsolation.h"
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

// Reads the first file's full image header (the parse that aborts on some damaged files) for the
// image size and the number of frames.
void describeFromHeader(DicomSeriesInfo& info) {
  auto io = itk::GDCMImageIO::New();
  io->SetFileName(info.files.front());
  io->LoadPrivateTagsOff();
  io->ReadImageInformation();
  info.columns = static_cast<int>(io->GetDimensions(0));
  info.rows = static_cast<int>(io->GetDimensions(1));
  info.frames = io->GetNumberOfDimensions() > 2 ? std::max(1, static_cast<int>(io->GetDimensions(2))) : 1;
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

// Groups the files into series and reads each series' first file in full. May abort on malformed
// files, so it only runs inside runIsolated().
std::vector<DicomSeriesInfo> scanFilesUnsafe(const std::vector<std::string>& files) {
  std::vector<DicomSeriesInfo> result;
  for (DicomSeriesInfo& info : groupDicomSeries(files)) {
    try {
      describeFromHeader(info);
    } catch (const itk::ExceptionObject&) {
      continue;  // has rows and columns but no readable image
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
    out += std::to_string(s.windowCenter) + kField + std::to_string(s.windowWidth) + kField;
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
    if (f.size() < 11) continue;
    DicomSeriesInfo s;
    s.id = f[0];
    s.seriesInstanceUid = f[1];
    s.seriesNumber = f[2];
    s.description = f[3];
    s.modality = f[4];
    // Written by serialize() in the scanning child; a malformed record is dropped, not thrown.
    try {
      s.rows = std::stoi(f[5]);
      s.columns = std::stoi(f[6]);
      s.frames = std::stoi(f[7]);
      s.windowCenter = std::stod(f[8]);
      s.windowWidth = std::stod(f[9]);
    } catch (const std::exception&) {
      continue;
    }
    s.files = split(f[10], kItem);
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

// Scans in a child process. If GDCM aborts there, probes each file on its own (in its own child)
// and scans again without the files that abort it, reporting them as skipped.
std::vector<DicomSeriesInfo> scanIsolated(const std::vector<std::string>& files, const std::string& path) {
  IsolatedOutcome outcome = runIsolated([&] { return serialize(scanFilesUnsafe(files)); });
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
    outcome = runIsolated([&] { return serialize(scanFilesUnsafe(parseable)); });
    if (outcome.status == IsolatedOutcome::Status::Crashed)
      throw Error(ErrorCode::CorruptFile, "The DICOM files in " + path + " are too damaged to read.", path);
  }
  if (outcome.status == IsolatedOutcome::Status::Failed) rethrow(outcome, path);
  std::vector<DicomSeriesInfo> result = deserialize(outcome.output);
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
