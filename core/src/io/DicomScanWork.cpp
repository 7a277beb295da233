#include "DicomScanWork.h"

#include <itkGDCMImageIO.h>

#include <algorithm>

#include "DicomGrouping.h"
#include "DicomLengthCheck.h"
#include "Jpeg2000Check.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

// Reads the first file's full image header (the parse that aborts on some damaged files) for the
// image size and the number of frames.
void describeFromHeader(DicomSeriesInfo& info) {
  refuseImpossibleElementLengths(info.files.front());
  refuseJpeg2000StreamsGdcmMisreads(info.files.front());
  auto io = itk::GDCMImageIO::New();
  io->SetFileName(info.files.front());
  io->LoadPrivateTagsOff();
  io->ReadImageInformation();
  info.columns = static_cast<int>(io->GetDimensions(0));
  info.rows = static_cast<int>(io->GetDimensions(1));
  info.frames = io->GetNumberOfDimensions() > 2 ? std::max(1, static_cast<int>(io->GetDimensions(2))) : 1;
}

// Series lists cross the process boundary as text: records, fields and file names split by the
// ASCII separator characters, which never occur in DICOM strings or sane paths.
constexpr char kRecord = '\x1e', kField = '\x1f', kItem = '\x1d';

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0, end;
  while ((end = text.find(separator, start)) != std::string::npos) {
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::vector<DicomSeriesInfo> scanFilesUnsafe(const std::vector<std::string>& files) {
  // A file declaring more than it holds is left out before GDCM's scanner allocates what it declares.
  std::vector<std::string> plausible;
  for (const std::string& file : files) {
    try {
      refuseImpossibleElementLengths(file);
      plausible.push_back(file);
    } catch (const Error&) {
      if (files.size() == 1) throw;  // the file the user chose: say what is wrong with it
    }
  }
  std::vector<DicomSeriesInfo> result;
  for (DicomSeriesInfo& info : groupDicomSeries(plausible)) {
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

std::string serializeSeries(const std::vector<DicomSeriesInfo>& list) {
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

std::vector<DicomSeriesInfo> deserializeSeries(const std::string& text) {
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


std::string probeImageUnsafe(const std::string& file) {
  refuseImpossibleElementLengths(file);  // before CanReadFile, which reads the whole file
  auto io = itk::GDCMImageIO::New();
  if (!io->CanReadFile(file.c_str())) return "no";
  io->SetFileName(file);
  io->ReadImageInformation();
  return "yes";
}

std::string canReadUnsafe(const std::string& file) {
  // A Part 10 file declaring more than it holds is a damaged DICOM file: the DICOM route reports it.
  try {
    refuseImpossibleElementLengths(file);
  } catch (const Error&) {
    return "yes";
  }
  auto io = itk::GDCMImageIO::New();
  return io->CanReadFile(file.c_str()) ? "yes" : "no";
}

}  // namespace protolabel::core
