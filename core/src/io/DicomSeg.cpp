#include "protolabel/core/io/DicomSeg.h"

// DCMTK's headers are system includes (core/CMakeLists.txt); it stays private to this file.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>
#include <dcmtk/oflog/oflog.h>

#include <itkGDCMImageIO.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "AtomicWrite.h"
#include "FileChecks.h"
#include "ItkBridge.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/WholeNumber.h"
#include "protolabel/core/GridAlignment.h"
#include "protolabel/core/io/DicomSeries.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

// DCMTK logs through oflog to stderr; only its errors are worth a line there (each failure also
// reaches the caller as a core::Error).
void quietDcmtk() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::configure(OFLogger::ERROR_LOG_LEVEL); });
}

std::string text(const OFCondition& c) { return c.text() ? c.text() : "unknown DCMTK error"; }

// A decimal string (DS): at most 16 characters, as precise as fits.
std::string decimal(double v) {
  if (std::abs(v) < 1e-12) v = 0;
  char buffer[64];
  for (int digits = 16; digits > 1; --digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::string(buffer).size() <= 16) return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%.1g", v);
  return buffer;
}

std::string newUid() {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
  return uid;
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 column(const Matrix3& m, int c) { return {m[0 * 3 + c], m[1 * 3 + c], m[2 * 3 + c]}; }
double distance(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

std::string getString(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  if (item.findAndGetOFStringArray(tag, value).bad()) return {};
  std::string s = value.c_str();
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// ---------------------------------------------------------------------------------------------
// The reference series

struct SourceSlice {
  std::string file, sopClassUid, sopInstanceUid;
  Vec3 position{0, 0, 0};
  bool hasPosition = false;
};

struct ReferenceSeries {
  DicomSeriesInfo info;
  ImageGeometry grid;
  std::vector<SourceSlice> slices;  // slice k of the grid is slices[k]
  std::unique_ptr<DcmFileFormat> first;  // the first slice's header (patient and study details)
  std::string studyUid, seriesUid, frameOfReferenceUid;
  double sliceThickness = 0;
};

// The grid ProtoLabel's reader gives the series (ImageReader.cpp reads it with the same ITK calls).
ImageGeometry seriesGrid(const DicomSeriesInfo& info) {
  auto io = itk::GDCMImageIO::New();
  io->LoadPrivateTagsOff();
  try {
    if (info.files.size() == 1) {
      auto reader = itk::ImageFileReader<ItkImage3<int16_t>>::New();
      reader->SetImageIO(io);
      reader->SetFileName(info.files.front());
      reader->UpdateOutputInformation();
      return geometryFromItk(*reader->GetOutput());
    }
    auto reader = itk::ImageSeriesReader<ItkImage3<int16_t>>::New();
    reader->SetImageIO(io);
    reader->SetFileNames(info.files);
    reader->SetMetaDataDictionaryArrayUpdate(false);
    reader->UpdateOutputInformation();
    return geometryFromItk(*reader->GetOutput());
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorCode::CorruptFile,
                "The DICOM series \"" + info.description + "\" cannot be read (" + e.GetDescription() + ").",
                info.files.front());
  }
}

std::unique_ptr<DcmFileFormat> loadHeader(const std::string& file) {
  auto ff = std::make_unique<DcmFileFormat>();
  // Large elements (the pixel data) stay on disk.
  const OFCondition c = ff->loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096);
  if (c.bad()) throw Error(ErrorCode::CorruptFile, file + " cannot be read as DICOM: " + text(c), file);
  return ff;
}

SourceSlice readSlice(const std::string& file, DcmFileFormat& ff) {
  SourceSlice s;
  s.file = file;
  DcmDataset& data = *ff.getDataset();
  DcmMetaInfo& meta = *ff.getMetaInfo();
  // Anonymisers sometimes blank the dataset's UIDs and leave the file meta header's.
  s.sopClassUid = getString(data, DCM_SOPClassUID);
  if (s.sopClassUid.empty()) s.sopClassUid = getString(meta, DCM_MediaStorageSOPClassUID);
  s.sopInstanceUid = getString(data, DCM_SOPInstanceUID);
  if (s.sopInstanceUid.empty()) s.sopInstanceUid = getString(meta, DCM_MediaStorageSOPInstanceUID);
  Float64 p[3];
  s.hasPosition = true;
  for (unsigned long i = 0; i < 3; ++i) s.hasPosition &= data.findAndGetFloat64(DCM_ImagePositionPatient, p[i], i).good();
  if (s.hasPosition) s.position = {p[0], p[1], p[2]};
  return s;
}

const DicomSeriesInfo& pickSeries(const std::vector<DicomSeriesInfo>& series, std::optional<int> index,
                                  const std::string& path, const std::function<bool(const DicomSeriesInfo&)>& fits,
                                  const std::string& why) {
  if (index) {
    if (*index < 0 || *index >= static_cast<int>(series.size()))
      throw Error(ErrorCode::SeriesNotFound,
                  "Series " + std::to_string(*index) + " does not exist; " + path + " holds " +
                      std::to_string(series.size()) + " series.",
                  path);
    return series[std::size_t(*index)];
  }
  if (series.size() == 1) return series.front();
  const DicomSeriesInfo* found = nullptr;
  int matches = 0;
  for (const DicomSeriesInfo& s : series)
    if (fits(s)) found = &s, ++matches;
  if (matches == 1) return *found;
  std::string list;
  for (std::size_t i = 0; i < series.size(); ++i) list += "\n  " + std::to_string(i) + ": " + series[i].summary();
  throw Error(ErrorCode::AmbiguousSeries,
              path + " holds " + std::to_string(series.size()) + " series and " +
                  (matches == 0 ? "none" : "more than one") + " of them " + why + "; choose one:" + list,
              path);
}

std::vector<DicomSeriesInfo> scanReference(const std::string& referenceDicom) {
  std::error_code ec;
  if (referenceDicom.empty())
    throw Error(ErrorCode::InvalidArgument, "A DICOM Segmentation needs the DICOM series it was drawn on.");
  if (!fs::exists(referenceDicom, ec))
    throw Error(ErrorCode::FileNotFound, "No such file or folder: " + referenceDicom, referenceDicom);
  std::vector<DicomSeriesInfo> series = scanDicomSeries(referenceDicom);
  if (series.empty())
    throw Error(ErrorCode::NoImageFound, "No DICOM image series was found in " + referenceDicom + ".", referenceDicom);
  return series;
}

ReferenceSeries loadReference(DicomSeriesInfo info, const std::string& referenceDicom) {
  if (info.frames > 1 || info.files.empty())
    throw Error(ErrorCode::UnsupportedFormat,
                "The series \"" + info.description + "\" in " + referenceDicom +
                    " is a multi-frame object; DICOM Segmentations are written against series of single-frame "
                    "slices only.",
                referenceDicom);
  ReferenceSeries ref;
  ref.grid = seriesGrid(info);
  if (ref.grid.size[2] != static_cast<int64_t>(info.files.size()))
    throw Error(ErrorCode::UnsupportedFormat, "The series in " + referenceDicom + " has " +
                                                  std::to_string(info.files.size()) + " files but " +
                                                  std::to_string(ref.grid.size[2]) + " slices.",
                referenceDicom);
  for (std::size_t k = 0; k < info.files.size(); ++k) {
    std::unique_ptr<DcmFileFormat> ff = loadHeader(info.files[k]);
    ref.slices.push_back(readSlice(info.files[k], *ff));
    if (k == 0) ref.first = std::move(ff);
  }
  DcmDataset& first = *ref.first->getDataset();
  ref.studyUid = getString(first, DCM_StudyInstanceUID);
  ref.seriesUid = getString(first, DCM_SeriesInstanceUID);
  ref.frameOfReferenceUid = getString(first, DCM_FrameOfReferenceUID);
  Float64 thickness = 0;
  if (first.findAndGetFloat64(DCM_SliceThickness, thickness).good() && thickness > 0) ref.sliceThickness = thickness;
  ref.info = std::move(info);
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Writing

DcmSegTypes::E_SegmentAlgoType algorithmType(SegAlgorithm a) {
  switch (a) {
    case SegAlgorithm::Manual: return DcmSegTypes::SAT_MANUAL;
    case SegAlgorithm::SemiAutomatic: return DcmSegTypes::SAT_SEMIAUTOMATIC;
    case SegAlgorithm::Automatic: return DcmSegTypes::SAT_AUTOMATIC;
  }
  return DcmSegTypes::SAT_MANUAL;
}

// Segment Label is a Long String: at most 64 characters, no backslash (the value separator).
std::string segmentLabel(const LabelEntry& e) {
  std::string label = e.name.empty() ? "Label " + std::to_string(e.value) : e.name;
  std::replace(label.begin(), label.end(), '\\', '/');
  if (label.size() > 64) label.resize(64);
  return label;
}

void check(const OFCondition& c, const std::string& what, const std::string& path) {
  if (c.bad()) throw Error(ErrorCode::WriteFailed, "Cannot build the DICOM Segmentation for " + path + ": " + what + " (" + text(c) + ").", path);
}

// Copies the patient and study details of the source (converted to UTF-8 where DCMTK can).
void copyPatientAndStudy(DcmDataset& source, DcmDataset& target) {
  source.convertToUTF8();
  for (const DcmTagKey& tag :
       {DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate, DCM_PatientSex,
        DCM_PatientAge, DCM_StudyDate, DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber,
        DCM_StudyDescription, DCM_PositionReferenceIndicator}) {
    DcmElement* element = nullptr;
    if (source.findAndGetElement(tag, element).bad() || !element) continue;
    target.insert(static_cast<DcmElement*>(element->clone()), true);
  }
  target.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

void insertReferencedSeries(const ReferenceSeries& ref, DcmDataset& target) {
  target.findAndDeleteElement(DCM_ReferencedSeriesSequence);
  DcmItem* series = nullptr;
  target.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, series, 0);
  series->putAndInsertString(DCM_SeriesInstanceUID, ref.seriesUid.c_str());
  for (std::size_t k = 0; k < ref.slices.size(); ++k) {
    DcmItem* instance = nullptr;
    series->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, instance, -2);
    instance->putAndInsertString(DCM_ReferencedSOPClassUID, ref.slices[k].sopClassUid.c_str());
    instance->putAndInsertString(DCM_ReferencedSOPInstanceUID, ref.slices[k].sopInstanceUid.c_str());
  }
}

// Reads the staged file back: a short or damaged write fails here, before it replaces anything.
void verifyWritten(const std::string& file, std::size_t frames, const std::string& target) {
  DcmFileFormat ff;
  const OFCondition c = ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096);
  Sint32 written = 0;
  if (c.bad() || ff.getDataset()->findAndGetSint32(DCM_NumberOfFrames, written).bad() ||
      written != static_cast<Sint32>(frames))
    throw Error(ErrorCode::WriteFailed, "Writing " + target + " failed: the file does not read back whole.", target);
}

// ---------------------------------------------------------------------------------------------
// Reading

struct SegGeometry {
  Vec3 row{1, 0, 0}, col{0, 1, 0};
  double rowSpacing = 1, columnSpacing = 1;  // Pixel Spacing: between rows, between columns
  double sliceSpacing = 0;                  // Spacing Between Slices, 0 if absent
  double sliceThickness = 0;
};

struct LoadedSeg {
  std::unique_ptr<DcmFileFormat> file;
  std::unique_ptr<DcmSegmentation> seg;
  std::string path, frameOfReferenceUid;
  std::vector<std::string> referencedSeriesUids;
  Uint16 rows = 0, columns = 0;
  std::size_t frames = 0;
};

LoadedSeg loadSeg(const std::string& path) {
  quietDcmtk();
  requireReadableFile(path);
  if (!isDicomSegFile(path))
    throw Error(ErrorCode::UnsupportedFormat, path + " is not a DICOM Segmentation (SEG) file.", path);
  LoadedSeg loaded;
  loaded.path = path;
  loaded.file = std::make_unique<DcmFileFormat>();
  OFCondition c = loaded.file->loadFile(path.c_str());
  DcmSegmentation* raw = nullptr;
  if (c.good()) c = DcmSegmentation::loadDataset(*loaded.file->getDataset(), raw);
  loaded.seg.reset(raw);
  if (c.bad() || !raw)
    throw Error(ErrorCode::CorruptFile, path + " is a damaged DICOM Segmentation: " + text(c), path);
  DcmSegmentation& seg = *loaded.seg;
  DcmDataset& data = *loaded.file->getDataset();
  if (seg.getSegmentationType() != DcmSegTypes::ST_BINARY)
    throw Error(ErrorCode::UnsupportedFormat,
                path + " is a fractional DICOM Segmentation (probabilities or occupancy); only binary ones are read.",
                path);
  data.findAndGetUint16(DCM_Rows, loaded.rows);
  data.findAndGetUint16(DCM_Columns, loaded.columns);
  loaded.frames = seg.getNumberOfFrames();
  if (loaded.rows == 0 || loaded.columns == 0 || loaded.frames == 0)
    throw Error(ErrorCode::EmptyDimension, path + " holds no frames.", path);
  // DCMTK counts the frames by their functional groups but unpacks as many as Number of Frames says
  // from Pixel Data, and its getFrame() reads past an empty frame list (found by fuzz_dcm_seg): the
  // declared count and the bits must cover every frame described.
  Sint32 declared = 0;
  DcmElement* pixels = nullptr;
  data.findAndGetSint32(DCM_NumberOfFrames, declared);
  const double bitsNeeded = double(loaded.rows) * double(loaded.columns) * double(loaded.frames);
  if (declared < 0 || std::size_t(declared) < loaded.frames || data.findAndGetElement(DCM_PixelData, pixels).bad() ||
      !pixels || double(pixels->getLength()) * 8 < bitsNeeded)
    throw Error(ErrorCode::CorruptFile,
                path + " is a damaged DICOM Segmentation: its pixel data or Number of Frames (" + std::to_string(declared) +
                    ") does not cover the " + std::to_string(loaded.frames) + " frames it describes.",
                path);
  OFString forUid;
  seg.getFrameOfReference().getFrameOfReferenceUID(forUid);
  loaded.frameOfReferenceUid = forUid.c_str();
  for (auto* item : seg.getCommonInstanceReference().getReferencedSeriesItems()) {
    OFString uid;
    if (item && item->getSeriesInstanceUID(uid).good() && !uid.empty()) loaded.referencedSeriesUids.push_back(uid.c_str());
  }
  return loaded;
}

SegGeometry frameGeometry(LoadedSeg& s, std::size_t frame) {
  FGInterface& fg = s.seg->getFunctionalGroups();
  SegGeometry g;
  auto* orientation = dynamic_cast<FGPlaneOrientationPatient*>(fg.get(Uint32(frame), DcmFGTypes::EFG_PLANEORIENTPATIENT));
  Float64 o[6];
  if (!orientation || orientation->getImageOrientationPatient(o[0], o[1], o[2], o[3], o[4], o[5]).bad())
    throw Error(ErrorCode::UnsupportedFormat, s.path + " has no Plane Orientation for frame " + std::to_string(frame + 1) + ".",
                s.path);
  g.row = {o[0], o[1], o[2]};
  g.col = {o[3], o[4], o[5]};
  auto* measures = dynamic_cast<FGPixelMeasures*>(fg.get(Uint32(frame), DcmFGTypes::EFG_PIXELMEASURES));
  Float64 v = 0;
  if (!measures || measures->getPixelSpacing(g.rowSpacing, 0).bad() || measures->getPixelSpacing(g.columnSpacing, 1).bad() ||
      g.rowSpacing <= 0 || g.columnSpacing <= 0)
    throw Error(ErrorCode::UnsupportedFormat, s.path + " has no Pixel Spacing for frame " + std::to_string(frame + 1) + ".",
                s.path);
  if (measures->getSpacingBetweenSlices(v).good() && v > 0) g.sliceSpacing = v;
  if (measures->getSliceThickness(v).good() && v > 0) g.sliceThickness = v;
  return g;
}

Vec3 framePosition(LoadedSeg& s, std::size_t frame) {
  auto* position = dynamic_cast<FGPlanePosPatient*>(
      s.seg->getFunctionalGroups().get(Uint32(frame), DcmFGTypes::EFG_PLANEPOSPATIENT));
  Float64 x, y, z;
  if (!position || position->getImagePositionPatient(x, y, z).bad())
    throw Error(ErrorCode::UnsupportedFormat, s.path + " has no Plane Position for frame " + std::to_string(frame + 1) + ".",
                s.path);
  return {x, y, z};
}

Uint16 frameSegment(LoadedSeg& s, std::size_t frame) {
  auto* fgSeg =
      dynamic_cast<FGSegmentation*>(s.seg->getFunctionalGroups().get(Uint32(frame), DcmFGTypes::EFG_SEGMENTATION));
  Uint16 number = 0;
  if (!fgSeg || fgSeg->getReferencedSegmentNumber(number).bad() || number == 0)
    throw Error(ErrorCode::CorruptFile, s.path + ": frame " + std::to_string(frame + 1) + " names no segment.", s.path);
  return number;
}

// The grid the SEG's frames describe: their common orientation and in-plane origin, and the span of
// their positions along the normal in steps of the slice spacing.
ImageGeometry ownGrid(LoadedSeg& s) {
  const SegGeometry g = frameGeometry(s, 0);
  const Vec3 normal = cross(g.row, g.col);
  std::vector<double> along;
  Vec3 first{0, 0, 0};
  double lowest = 0;
  for (std::size_t f = 0; f < s.frames; ++f) {
    const SegGeometry gf = frameGeometry(s, f);
    if (distance(gf.row, g.row) > 1e-4 || distance(gf.col, g.col) > 1e-4 ||
        std::abs(gf.rowSpacing - g.rowSpacing) > 1e-6 * g.rowSpacing ||
        std::abs(gf.columnSpacing - g.columnSpacing) > 1e-6 * g.columnSpacing)
      throw Error(ErrorCode::UnsupportedFormat,
                  s.path + ": its frames differ in orientation or pixel spacing; it does not describe one volume.", s.path);
    const Vec3 p = framePosition(s, f);
    const double d = dot(p, normal);
    if (f == 0 || d < lowest) lowest = d, first = p;
    along.push_back(d);
  }
  std::vector<double> distinct = along;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end(), [](double a, double b) { return std::abs(a - b) < 1e-4; }),
                 distinct.end());
  double spacing = g.sliceSpacing;
  if (spacing <= 0) {
    spacing = distinct.size() > 1 ? distinct[1] - distinct[0] : (g.sliceThickness > 0 ? g.sliceThickness : 1.0);
    for (std::size_t i = 2; i < distinct.size(); ++i) spacing = std::min(spacing, distinct[i] - distinct[i - 1]);
  }
  const double span = distinct.back() - distinct.front();
  const int64_t slices = std::llround(span / spacing) + 1;
  for (double d : distinct) {
    const double k = (d - distinct.front()) / spacing;
    if (std::abs(k - std::round(k)) > 1e-2)
      throw Error(ErrorCode::UnsupportedFormat,
                  s.path + ": its frames are not evenly spaced along the slice normal; read it with the DICOM series "
                           "it was made on (--reference-dicom).",
                  s.path);
  }
  // Every frame must share the in-plane origin of the lowest one.
  for (std::size_t f = 0; f < s.frames; ++f) {
    const Vec3 p = framePosition(s, f);
    const double d = dot(p, normal) - lowest;
    const Vec3 projected{p[0] - d * normal[0], p[1] - d * normal[1], p[2] - d * normal[2]};
    if (distance(projected, first) > 1e-2 * std::min(g.rowSpacing, g.columnSpacing))
      throw Error(ErrorCode::UnsupportedFormat,
                  s.path + ": its frames are shifted within the plane (a tilted or sheared stack); read it with the "
                           "DICOM series it was made on (--reference-dicom).",
                  s.path);
  }
  ImageGeometry grid;
  grid.size = {s.columns, s.rows, slices};
  grid.spacing = {g.columnSpacing, g.rowSpacing, spacing};
  grid.origin = first;
  grid.direction = {g.row[0], g.col[0], normal[0], g.row[1], g.col[1], normal[1], g.row[2], g.col[2], normal[2]};
  return grid;
}

std::optional<uint16_t> labelValueFromDescription(const std::string& description) {
  // "... label value N" at the end (trailing spaces allowed), N a label value.
  const std::string key = "label value ";
  const std::size_t end = description.find_last_not_of(" \t\r\n");
  const std::size_t at = description.rfind(key);
  if (at == std::string::npos || end == std::string::npos || end < at + key.size()) return std::nullopt;
  const auto value = parseWholeNumber(description.substr(at + key.size(), end + 1 - at - key.size()), 1, 65535);
  if (!value) return std::nullopt;
  return static_cast<uint16_t>(*value);
}

LabelMap readOnto(LoadedSeg& s, const ImageGeometry& grid) {
  const std::string& path = s.path;
  // Segments: value, name, colour.
  std::map<Uint16, uint16_t> valueOf;
  LabelTable table;
  const std::size_t segmentCount = s.seg->getNumberOfSegments();
  for (std::size_t n = 1; n <= segmentCount; ++n) {
    DcmSegment* segment = s.seg->getSegment(n);
    if (!segment) continue;
    OFString label, description;
    segment->getSegmentLabel(label);
    segment->getSegmentDescription(description);
    const uint16_t value = labelValueFromDescription(description.c_str()).value_or(static_cast<uint16_t>(n));
    valueOf[static_cast<Uint16>(n)] = value;
    LabelEntry e;
    e.value = value;
    e.name = label.empty() ? "Segment " + std::to_string(n) : label.c_str();
    Uint16 L, a, b;
    e.color = segment->getRecommendedDisplayCIELabValue(L, a, b).good() ? dicomLabToRgb({L, a, b})
                                                                        : LabelTable::defaultColor(value);
    table.set(e);
  }
  if (valueOf.empty()) throw Error(ErrorCode::CorruptFile, path + " defines no segments.", path);

  // The frames must lie on the grid's slices, with the grid's rows, columns, orientation and spacing.
  if (grid.size[0] != s.columns || grid.size[1] != s.rows)
    throw Error(ErrorCode::GridMismatch,
                path + " has frames of " + std::to_string(s.columns) + "x" + std::to_string(s.rows) +
                    " pixels; the image has slices of " + std::to_string(grid.size[0]) + "x" + std::to_string(grid.size[1]) +
                    ". It was made on another image.",
                path);
  uint16_t highest = 0;
  for (const auto& [number, value] : valueOf) highest = std::max(highest, value);
  Volume voxels(grid, highest <= 255 ? PixelType::UInt8 : PixelType::UInt16);
  const int64_t plane = grid.size[0] * grid.size[1];

  // Frames in segment order: where segments overlap, the higher segment number wins.
  std::vector<std::pair<Uint16, std::size_t>> order;
  for (std::size_t f = 0; f < s.frames; ++f) order.emplace_back(frameSegment(s, f), f);
  std::stable_sort(order.begin(), order.end());
  for (const auto& [number, f] : order) {
    const auto value = valueOf.find(number);
    if (value == valueOf.end())
      throw Error(ErrorCode::CorruptFile,
                  path + ": frame " + std::to_string(f + 1) + " refers to segment " + std::to_string(number) +
                      ", which is not defined.",
                  path);
    const SegGeometry gf = frameGeometry(s, f);
    if (distance(gf.row, column(grid.direction, 0)) > 1e-3 || distance(gf.col, column(grid.direction, 1)) > 1e-3 ||
        std::abs(gf.columnSpacing - grid.spacing[0]) > 1e-4 * grid.spacing[0] ||
        std::abs(gf.rowSpacing - grid.spacing[1]) > 1e-4 * grid.spacing[1])
      throw Error(ErrorCode::GridMismatch,
                  path + " does not lie on the image's grid (its orientation or pixel spacing differs; image: " +
                      grid.describe() + "). It was made on another image.",
                  path);
    const Vec3 index = grid.physicalToIndex(framePosition(s, f));
    const int64_t k = std::llround(index[2]);
    if (std::abs(index[0]) > 1e-2 || std::abs(index[1]) > 1e-2 || std::abs(index[2] - double(k)) > 1e-2 || k < 0 ||
        k >= grid.size[2])
      throw Error(ErrorCode::GridMismatch,
                  path + ": frame " + std::to_string(f + 1) + " does not lie on a slice of the image (image: " +
                      grid.describe() + "). It was made on another image.",
                  path);
    const DcmIODTypes::Frame* packed = s.seg->getFrame(f);
    if (!packed) throw Error(ErrorCode::CorruptFile, path + ": frame " + std::to_string(f + 1) + " has no pixel data.", path);
    std::unique_ptr<DcmIODTypes::Frame> frame(DcmSegUtils::unpackBinaryFrame(packed, s.rows, s.columns));
    if (!frame || frame->length < std::size_t(plane))
      throw Error(ErrorCode::CorruptFile, path + ": frame " + std::to_string(f + 1) + " is truncated.", path);
    const Uint8* bits = frame->pixData;
    const uint16_t v = value->second;
    // Row r, column c of the frame is voxel (c, r, k): x runs along the rows.
    if (voxels.pixelType() == PixelType::UInt8) {
      uint8_t* out = voxels.data<uint8_t>() + k * plane;
      for (int64_t i = 0; i < plane; ++i)
        if (bits[i]) out[i] = static_cast<uint8_t>(v);
    } else {
      uint16_t* out = voxels.data<uint16_t>() + k * plane;
      for (int64_t i = 0; i < plane; ++i)
        if (bits[i]) out[i] = v;
    }
  }
  LabelMap labels(std::move(voxels), std::move(table));
  labels.addMissingTableEntries();
  return labels;
}

bool hasPreamble(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) < 132 || ec) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.seekg(128);
  in.read(magic, 4);
  return in && std::string(magic, 4) == "DICM";
}

}  // namespace

bool isDicomPart10File(const std::string& path) { return hasPreamble(path); }

bool isDicomSegFile(const std::string& path) {
  if (!hasPreamble(path)) return false;
  quietDcmtk();
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_SOPInstanceUID).bad())
    return false;
  std::string sopClass = getString(*ff.getDataset(), DCM_SOPClassUID);
  if (sopClass.empty()) sopClass = getString(*ff.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  return sopClass == kSegmentationStorageUid;
}

DicomSegSummary writeDicomSeg(const LabelMap& input, const std::string& referenceDicom, const std::string& path,
                              const DicomSegWriteOptions& options) {
  quietDcmtk();
  DicomSegSummary summary;
  const std::vector<DicomSeriesInfo> series = scanReference(referenceDicom);
  std::vector<std::string> protectedPaths = options.protectedPaths;
  for (const DicomSeriesInfo& s : series) protectedPaths.insert(protectedPaths.end(), s.files.begin(), s.files.end());
  checkWriteTarget(path, protectedPaths);

  // The series the labels were drawn on: chosen, the only one, or the one whose grid they lie on.
  std::map<const DicomSeriesInfo*, ImageGeometry> grids;
  auto gridOf = [&](const DicomSeriesInfo& s) -> const ImageGeometry& {
    auto it = grids.find(&s);
    if (it == grids.end()) it = grids.emplace(&s, seriesGrid(s)).first;
    return it->second;
  };
  const DicomSeriesInfo& chosen = pickSeries(
      series, options.seriesIndex, referenceDicom,
      [&](const DicomSeriesInfo& s) {
        return s.frames == 1 && (input.geometry().sameGrid(gridOf(s)) ||
                                 (options.alignToReference && sameLattice(input.geometry(), gridOf(s))));
      },
      "has the labels' grid");
  ReferenceSeries ref = loadReference(chosen, referenceDicom);
  const ImageGeometry& grid = ref.grid;

  LabelMap labels;
  if (input.geometry().sameGrid(grid)) {
    labels = input;
  } else if (options.alignToReference && sameLattice(input.geometry(), grid)) {
    labels = alignLabelsToGrid(input, grid);
    summary.warnings.push_back("The labels are stored with their axes in another order (" +
                               input.geometry().orientationCode() + ") than the DICOM series (" + grid.orientationCode() +
                               "); they were carried onto the series' grid voxel for voxel.");
  } else {
    throw Error(ErrorCode::GridMismatch,
                "The labels do not lie on the grid of the DICOM series in " + referenceDicom + " (labels: " +
                    input.geometry().describe() + "; series: " + grid.describe() + ").",
                path);
  }
  if (grid.size[0] > 65535 || grid.size[1] > 65535)
    throw Error(ErrorCode::TooLarge, "The slices are too large for a DICOM Segmentation.", path);
  if (!grid.hasOrthonormalDirection())
    throw Error(ErrorCode::UnsupportedFormat, "The series' orientation is not orthonormal.", path);

  // Which slices hold which value.
  const Size3 n = grid.size;
  const int64_t plane = n[0] * n[1];
  std::map<uint16_t, std::vector<int64_t>> slicesOf;
  {
    std::vector<std::set<uint16_t>> present(static_cast<std::size_t>(n[2]));
    for (int64_t k = 0; k < n[2]; ++k)
      for (int64_t i = 0; i < plane; ++i) {
        const uint16_t v = labels.labelAtLinear(k * plane + i);
        if (v) present[std::size_t(k)].insert(v);
      }
    for (int64_t k = 0; k < n[2]; ++k)
      for (uint16_t v : present[std::size_t(k)]) slicesOf[v].push_back(k);
  }
  if (slicesOf.empty())
    throw Error(ErrorCode::InvalidArgument, "The label map is empty: there is no segment to write.", path);

  // Source UIDs. Anonymised series may lack them; the SEG then gets new ones where DICOM requires one.
  for (const SourceSlice& s : ref.slices)
    if (s.sopClassUid.empty() || s.sopInstanceUid.empty())
      throw Error(ErrorCode::UnsupportedFormat,
                  s.file + " has no SOP Class or SOP Instance UID (in the dataset or the file meta header); a "
                           "segmentation cannot refer to it.",
                  s.file);
  std::string studyUid = ref.studyUid;
  if (studyUid.empty()) {
    studyUid = newUid();
    summary.warnings.push_back("The source series has no Study Instance UID; the segmentation got a new one.");
  }
  std::string frameOfReferenceUid = ref.frameOfReferenceUid;
  if (frameOfReferenceUid.empty()) {
    frameOfReferenceUid = newUid();
    summary.warnings.push_back("The source series has no Frame of Reference UID; the segmentation got a new one.");
  }
  if (ref.seriesUid.empty())
    summary.warnings.push_back("The source series has no Series Instance UID; the Referenced Series Sequence names "
                               "its slices but not the series.");
  if (!getString(*ref.first->getDataset(), DCM_SOPInstanceUID).size())
    summary.warnings.push_back("The source slices' SOP Instance UIDs were taken from their file meta headers.");

  // The segmentation object.
  const std::string software =
      options.softwareVersion.empty() ? std::string("ProtoLabel ") + PROTOLABEL_VERSION : options.softwareVersion;
  const IODGeneralEquipmentModule::EquipmentInfo equipment("ProtoLabel", "ProtoLabel", "0", software.c_str());
  const ContentIdentificationMacro content("1", "SEGMENTATION", options.seriesDescription.substr(0, 64).c_str(), "");
  DcmSegmentation* raw = nullptr;
  check(DcmSegmentation::createBinarySegmentation(raw, Uint16(n[1]), Uint16(n[0]), equipment, content),
        "creating the object", path);
  std::unique_ptr<DcmSegmentation> seg(raw);
  check(seg->getStudy().setStudyInstanceUID(studyUid.c_str()), "Study Instance UID", path);
  check(seg->getFrameOfReference().setFrameOfReferenceUID(frameOfReferenceUid.c_str()), "Frame of Reference UID", path);
  check(seg->getSeries().setSeriesInstanceUID(newUid().c_str()), "Series Instance UID", path);
  seg->getSeries().setSeriesDescription(options.seriesDescription.substr(0, 64).c_str(), OFFalse);
  check(seg->getSegmentationSeriesModule().setSeriesNumber("300"), "Series Number", path);

  // Shared functional groups: pixel measures and orientation.
  const Vec3 row = column(grid.direction, 0), col = column(grid.direction, 1);
  FGPixelMeasures measures;
  check(measures.setPixelSpacing((decimal(grid.spacing[1]) + "\\" + decimal(grid.spacing[0])).c_str()), "Pixel Spacing", path);
  check(measures.setSliceThickness(decimal(ref.sliceThickness > 0 ? ref.sliceThickness : grid.spacing[2]).c_str()),
        "Slice Thickness", path);
  check(measures.setSpacingBetweenSlices(decimal(grid.spacing[2]).c_str()), "Spacing Between Slices", path);
  check(seg->addForAllFrames(measures), "Pixel Measures", path);
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
      decimal(row[0]).c_str(), decimal(row[1]).c_str(), decimal(row[2]).c_str(), decimal(col[0]).c_str(),
      decimal(col[1]).c_str(), decimal(col[2]).c_str()));
  if (!orientation) check(EC_MemoryExhausted, "Plane Orientation", path);
  check(seg->addForAllFrames(*orientation), "Plane Orientation", path);

  // Frames are indexed by segment, then by position along the normal.
  const std::string dimensionUid = newUid();
  check(seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid.c_str(),
                                               DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
        "Dimension Index", path);
  check(seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimensionUid.c_str(), DCM_PlanePositionSequence,
                                               "ImagePositionPatient"),
        "Dimension Index", path);

  // Every frame's position on the grid must be that of its source slice (an unevenly spaced series
  // would put the frames elsewhere than the slices they name).
  for (int64_t k = 0; k < n[2]; ++k) {
    const SourceSlice& s = ref.slices[std::size_t(k)];
    if (s.hasPosition &&
        distance(s.position, grid.indexToPhysical({0, 0, double(k)})) > std::max(1e-3, 1e-2 * grid.spacing[2]))
      throw Error(ErrorCode::UnsupportedFormat,
                  "The slices of the DICOM series in " + referenceDicom +
                      " are not evenly spaced; a segmentation on its grid would not line up with them.",
                  referenceDicom);
  }

  const LabelTable table = labels.completeTable();
  std::vector<uint8_t> mask(static_cast<std::size_t>(plane));
  bool firstSegment = true;
  for (const auto& [value, slices] : slicesOf) {
    const LabelEntry* entry = table.find(value);
    LabelEntry fallback;
    fallback.value = value;
    fallback.color = LabelTable::defaultColor(value);
    const LabelEntry& e = entry ? *entry : fallback;
    const SegPropertyCodes codes = segPropertyCodesFor(e.name);
    DcmSegment* segment = nullptr;
    const CodeSequenceMacro category(codes.category.value.c_str(), codes.category.scheme.c_str(),
                                     codes.category.meaning.c_str());
    const CodeSequenceMacro type(codes.type.value.c_str(), codes.type.scheme.c_str(), codes.type.meaning.c_str());
    const std::string algorithmName = options.algorithm == SegAlgorithm::Manual ? "" : options.algorithmName;
    check(DcmSegment::create(segment, ("Label " + std::to_string(value)).c_str(), category, type,
                             algorithmType(options.algorithm), algorithmName.c_str()),
          "segment " + std::to_string(value), path);
    std::unique_ptr<DcmSegment> owned(segment);
    // Names are free text (UTF-8): DCMTK's value check knows only ASCII.
    check(segment->setSegmentLabel(segmentLabel(e).c_str(), OFFalse), "Segment Label", path);
    check(segment->setSegmentDescription(("label value " + std::to_string(value)).c_str()), "Segment Description", path);
    const std::array<uint16_t, 3> lab = rgbToDicomLab(e.color);
    check(segment->setRecommendedDisplayCIELabValue(lab[0], lab[1], lab[2]), "Recommended Display CIELab Value", path);
    if (codes.modifier)
      segment->getSegmentedPropertyTypeModifierCode().push_back(new CodeSequenceMacro(
          codes.modifier->value.c_str(), codes.modifier->scheme.c_str(), codes.modifier->meaning.c_str()));
    Uint16 number = 0;
    check(seg->addSegment(segment, number), "adding segment " + std::to_string(value), path);
    owned.release();  // the segmentation owns it now

    // The first segment also covers the first and last slice, so the SEG spans the whole series.
    std::vector<int64_t> frameSlices = slices;
    if (firstSegment) {
      frameSlices.push_back(0);
      frameSlices.push_back(n[2] - 1);
      std::sort(frameSlices.begin(), frameSlices.end());
      frameSlices.erase(std::unique(frameSlices.begin(), frameSlices.end()), frameSlices.end());
      firstSegment = false;
    }
    for (int64_t k : frameSlices) {
      for (int64_t i = 0; i < plane; ++i) mask[std::size_t(i)] = labels.labelAtLinear(k * plane + i) == value;
      const Vec3 p = grid.indexToPhysical({0, 0, double(k)});
      std::unique_ptr<FGPlanePosPatient> position(
          FGPlanePosPatient::createMinimal(decimal(p[0]).c_str(), decimal(p[1]).c_str(), decimal(p[2]).c_str()));
      FGFrameContent frameContent;
      check(frameContent.setDimensionIndexValues(number, 0), "Dimension Index Values", path);
      check(frameContent.setDimensionIndexValues(Uint32(k + 1), 1), "Dimension Index Values", path);
      const SourceSlice& source = ref.slices[std::size_t(k)];
      ImageSOPInstanceReferenceMacro sourceImage;
      check(sourceImage.setReferencedSOPClassUID(source.sopClassUid.c_str()), "Referenced SOP Class UID", path);
      check(sourceImage.setReferencedSOPInstanceUID(source.sopInstanceUid.c_str()), "Referenced SOP Instance UID", path);
      OFVector<ImageSOPInstanceReferenceMacro> sources;
      sources.push_back(sourceImage);
      std::unique_ptr<FGDerivationImage> derivation(
          DcmSegmentation::createDerivationImageFG(sources, "Segmentation of the source slice"));
      if (!position || !derivation) check(EC_MemoryExhausted, "frame groups", path);
      OFVector<FGBase*> groups;
      groups.push_back(position.get());
      groups.push_back(&frameContent);
      groups.push_back(derivation.get());
      check(seg->addFrame(mask.data(), number, groups), "frame " + std::to_string(summary.frames + 1), path);
      ++summary.frames;
    }
    ++summary.segments;
  }

  DcmFileFormat file;
  check(seg->writeDataset(*file.getDataset()), "the dataset", path);
  DcmDataset& data = *file.getDataset();
  copyPatientAndStudy(*ref.first->getDataset(), data);
  data.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
  insertReferencedSeries(ref, data);

  writeAtomically(path, [&](const std::string& temp) {
    const OFCondition c = file.saveFile(temp.c_str(), EXS_LittleEndianExplicit);
    if (c.bad()) throw Error(ErrorCode::WriteFailed, "Cannot write " + path + ": " + text(c), path);
    verifyWritten(temp, std::size_t(summary.frames), path);
  });
  return summary;
}

LabelMap readDicomSeg(const std::string& path) {
  LoadedSeg s = loadSeg(path);
  const ImageGeometry grid = ownGrid(s);
  return readOnto(s, grid);
}

LabelMap readDicomSeg(const std::string& path, const ImageGeometry& grid) {
  LoadedSeg s = loadSeg(path);
  return readOnto(s, grid);
}

LabelMap readDicomSegOnSeries(const std::string& path, const std::string& referenceDicom, std::optional<int> seriesIndex) {
  LoadedSeg s = loadSeg(path);
  const std::vector<DicomSeriesInfo> series = scanReference(referenceDicom);
  const DicomSeriesInfo& chosen = pickSeries(
      series, seriesIndex, referenceDicom,
      [&](const DicomSeriesInfo& c) {
        return std::find(s.referencedSeriesUids.begin(), s.referencedSeriesUids.end(), c.seriesInstanceUid) !=
               s.referencedSeriesUids.end();
      },
      "is the one the segmentation refers to");
  const ImageGeometry grid = seriesGrid(chosen);
  const std::unique_ptr<DcmFileFormat> header = loadHeader(chosen.files.front());
  const std::string forUid = getString(*header->getDataset(), DCM_FrameOfReferenceUID);
  if (!forUid.empty() && !s.frameOfReferenceUid.empty() && forUid != s.frameOfReferenceUid)
    throw Error(ErrorCode::GridMismatch,
                path + " was made on another series: its Frame of Reference UID (" + s.frameOfReferenceUid +
                    ") is not that of " + referenceDicom + " (" + forUid + ").",
                path);
  return readOnto(s, grid);
}

}  // namespace protolabel::core
