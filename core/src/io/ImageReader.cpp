#include "protolabel/core/io/ImageReader.h"

#include <itkGDCMImageIO.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>

#include <filesystem>

#include "CompletenessCheck.h"
#include "DicomPixelReader.h"
#include "DicomVolumeRead.h"
#include "FileChecks.h"
#include "GdcmWarningCapture.h"
#include "Gzip.h"
#include "CrashIsolation.h"
#include "ItkBridge.h"
#include "NiftiPermissive.h"
#include "TempFolder.h"
#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

bool hasImageExtension(const std::string& path) {
  const std::string p = lowercase(path);
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd", ".hdr", ".img"})
    if (endsWith(p, ext)) return true;
  return false;
}

Error corrupt(const std::string& path, const itk::ExceptionObject& e) {
  return Error(ErrorCode::CorruptFile,
               path + " cannot be read: it is truncated, damaged or not in the format its name says (" +
                   std::string(e.GetDescription()) + ").",
               path);
}

// Reads the header, checks sizes and memory, and returns the pixel type to read into.
PixelType inspectHeader(itk::ImageIOBase& io, const std::string& path, std::vector<std::string>& warnings) {
  const unsigned dims = io.GetNumberOfDimensions();
  if (dims < 2 || dims > 5)
    throw Error(ErrorCode::UnsupportedFormat, path + " has " + std::to_string(dims) + " dimensions; 2D, 3D or 4D images only.",
                path);
  uint64_t voxels = 1, extraVolumes = 1;
  for (unsigned d = 0; d < dims; ++d) {
    const uint64_t n = io.GetDimensions(d);
    if (n == 0)
      throw Error(ErrorCode::EmptyDimension, path + " has size 0 along axis " + std::to_string(d) + ": it holds no voxels.",
                  path);
    if (d < 3) voxels *= n;
    else extraVolumes *= n;
  }
  if (extraVolumes > 1)
    warnings.push_back(path + " is a 4D image with " + std::to_string(extraVolumes) +
                       " volumes; only the first volume was loaded.");
  if (io.GetNumberOfComponents() > 1)
    warnings.push_back(path + " has " + std::to_string(io.GetNumberOfComponents()) +
                       " components per voxel; they were combined into one grey value.");
  const PixelType type = pixelTypeForComponent(io.GetComponentType());
  requireFitsInMemory(voxels * pixelTypeSize(type), path);
  return type;
}

template <class T>
Volume readFileAs(const std::string& path, itk::ImageIOBase* io) {
  auto reader = itk::ImageFileReader<ItkImage3<T>>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  {
    const auto lock = lockImageInformation();  // the header is read again here
    reader->UpdateOutputInformation();
  }
  reader->Update();
  return volumeFromItk<T>(reader->GetOutput());
}

// ITK computes the series geometry (slice spacing from the first and last positions); the voxels
// are decoded in parallel by decodeDicomSeriesPixels.
template <class T>
Volume readSeriesAs(const std::vector<std::string>& files) {
  auto io = itk::GDCMImageIO::New();
  io->LoadPrivateTagsOff();
  auto reader = itk::ImageSeriesReader<ItkImage3<T>>::New();
  reader->SetImageIO(io);
  reader->SetFileNames(files);
  reader->SetMetaDataDictionaryArrayUpdate(false);
  reader->UpdateOutputInformation();
  Volume volume(geometryFromItk(*reader->GetOutput()), PixelTypeOf<T>::value);
  decodeDicomSeriesPixels(files, volume);
  return volume;
}

Volume readOneFile(const std::string& path, itk::ImageIOBase::Pointer io, std::vector<std::string>& warnings) {
  const PixelType type = inspectHeader(*io, path, warnings);
  requireCompleteData(path, *io);
  try {
    return dispatchPixelType(type, [&](auto v) { return readFileAs<decltype(v)>(path, io); });
  } catch (const itk::ExceptionObject& e) {
    throw corrupt(path, e);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::TooLarge, "Not enough memory to load " + path + ".", path);
  }
}

const DicomSeriesInfo& chooseSeries(const std::vector<DicomSeriesInfo>& series, const ReadOptions& options,
                                    const std::string& path, int& chosenIndex) {
  if (!options.seriesId.empty()) {
    for (std::size_t i = 0; i < series.size(); ++i)
      if (series[i].id == options.seriesId || series[i].seriesInstanceUid == options.seriesId)
        return series[chosenIndex = static_cast<int>(i)];
    throw Error(ErrorCode::SeriesNotFound, "No series with UID " + options.seriesId + " in " + path, path);
  }
  if (options.seriesIndex) {
    const int i = *options.seriesIndex;
    if (i < 0 || i >= static_cast<int>(series.size()))
      throw Error(ErrorCode::SeriesNotFound,
                  "Series " + std::to_string(i) + " does not exist; " + path + " holds " + std::to_string(series.size()) +
                      " series (0.." + std::to_string(series.size() - 1) + ").",
                  path);
    return series[chosenIndex = i];
  }
  if (series.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < series.size(); ++i) list += "\n  " + std::to_string(i) + ": " + series[i].summary();
    throw Error(ErrorCode::AmbiguousSeries, path + " holds " + std::to_string(series.size()) + " series; choose one:" + list,
                path);
  }
  return series[chosenIndex = 0];
}

}  // namespace

Volume readDicomSeriesVolume(const DicomSeriesInfo& info, std::vector<std::string>& warnings) {
  const std::string& first = info.files.front();
  // A grey single frame is decoded as a series' files are, so one file gives the same values alone as
  // in its series (ITK's reader would invert MONOCHROME1).
  const DicomPixelFacts pixels = requirePlausiblePixelData(first, info.files.size() == 1);
  auto io = itk::GDCMImageIO::New();
  io->LoadPrivateTagsOff();
  try {
    io->SetFileName(first);
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw corrupt(first, e);
  }
  if (pixels.monochrome1 && !pixels.readThroughItk)
    warnings.push_back(first + " is MONOCHROME1 (low values are shown bright by DICOM viewers); its values are "
                       "kept as stored and rescaled, so low values appear dark here.");
  if (pixels.readThroughItk) {
    GdcmWarningCapture gdcmWarnings;
    Volume volume = readOneFile(first, io.GetPointer(), warnings);
    if (gdcmWarnings.sawTruncatedPixelData())
      throw Error(ErrorCode::CorruptFile, first + " is truncated: its pixel data ends early.", first);
    return volume;
  }

  const PixelType type = inspectHeader(*io, first, warnings);
  requireFitsInMemory(uint64_t(info.rows) * info.columns * info.files.size() * pixelTypeSize(type), first);
  try {
    return dispatchPixelType(type, [&](auto v) { return readSeriesAs<decltype(v)>(info.files); });
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorCode::CorruptFile,
                "The DICOM series \"" + info.description + "\" cannot be read: a file is truncated, damaged or uses an "
                "unsupported compression (" + std::string(e.GetDescription()) + ").",
                first);
  }
}

namespace {

// niftilib prefers `foo.nii` when asked for `foo.nii.gz` and both exist; reading through a private
// link named like the requested file avoids that silent substitution.
std::string avoidNiftiSiblingSubstitution(const std::string& path, std::shared_ptr<TempFolder>& holder) {
  const std::string lower = lowercase(path);
  if (!endsWith(lower, ".nii.gz")) return path;
  const std::string sibling = path.substr(0, path.size() - 3);
  std::error_code ec;
  if (!fs::exists(sibling, ec)) return path;
  holder = TempFolder::create("nifti");
  const fs::path link = fs::path(holder->path()) / fs::path(path).filename();
  fs::create_symlink(fs::absolute(path), link, ec);
  return ec ? path : link.string();
}

void handleNonFinite(Volume& volume, const ReadOptions& options, const std::string& path,
                     std::vector<std::string>& warnings) {
  const int64_t bad = volume.countNonFinite();
  if (bad == 0) return;
  if (!options.replaceNonFinite)
    throw Error(ErrorCode::NonFiniteVoxels,
                path + " contains " + std::to_string(bad) +
                    " NaN or infinite voxels. Open it with NaN replacement enabled (--replace-nan) to load it with "
                    "those voxels set to the lowest intensity.",
                path);
  const float lowest = static_cast<float>(volume.intensityRange().first);
  volume.replaceNonFinite(lowest);
  warnings.push_back(std::to_string(bad) + " NaN or infinite voxels were set to " + std::to_string(lowest) + ".");
}

}  // namespace

bool isDicomPath(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return true;
  const std::string lower = lowercase(path);
  if (endsWith(lower, ".dcm") || endsWith(lower, ".dcm.gz") || endsWith(lower, ".ima")) return true;
  if (hasImageExtension(path)) return false;
  // GDCM's check itself aborts on some files (a DICOMDIR, say): it runs in the helper process.
  // One that aborts the check is a damaged DICOM file: the DICOM route reports it (never in-process).
  const IsolatedOutcome outcome = runIsolated(HelperTask::CanRead, {path}, 30);
  return outcome.status == IsolatedOutcome::Status::Crashed ||
         (outcome.status == IsolatedOutcome::Status::Succeeded && outcome.output == "yes");
}

LoadedImage readImage(const std::string& path, const ReadOptions& options) {
  ensureItkIoFactories();
  LoadedImage result;
  result.sourcePath = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "No such file or folder: " + path, path);

  const bool folder = fs::is_directory(path, ec);
  if (!folder) requireReadableFile(path);

  itk::ImageIOBase::Pointer io;
  if (!folder && !isDicomPath(path)) {
    io = createFileImageIO(path);
    if (!io && hasImageExtension(path))  // named as an image but none reads it: damaged, not DICOM
      throw Error(ErrorCode::CorruptFile,
                  path + " cannot be read: it is truncated, damaged or not in the format its name says.", path);
  }

  if (io) {
    std::shared_ptr<TempFolder> linkHolder;
    const std::string readable = avoidNiftiSiblingSubstitution(path, linkHolder);
    // niftilib aborts on some damaged headers and silently zeroes NaN voxels: look first.
    const int64_t niftiNonFinite = dynamic_cast<itk::NiftiImageIO*>(io.GetPointer()) ? checkNiftiHeader(readable) : 0;
    if (niftiNonFinite > 0 && !options.replaceNonFinite)
      throw Error(ErrorCode::NonFiniteVoxels,
                  path + " contains " + std::to_string(niftiNonFinite) +
                      " NaN or infinite voxels. Open it with NaN replacement enabled (--replace-nan) to load it with "
                      "those voxels set to 0.",
                  path);
    if (niftiNonFinite > 0)
      result.warnings.push_back(std::to_string(niftiNonFinite) + " NaN or infinite voxels were read as 0.");
    if (dynamic_cast<itk::MetaImageIO*>(io.GetPointer())) checkMetaImageHeader(readable);
    try {
      io->SetFileName(readable);
      readImageInformation(*io);
      result.volume = readOneFile(readable, io, result.warnings);
    } catch (const itk::ExceptionObject& e) {
      if (!isNonOrthonormalNiftiError(e.GetDescription())) throw corrupt(path, e);
      // ITK refuses sheared NIfTI orientations; read a copy with the nearest rotation instead.
      auto temp = TempFolder::create("nifti");
      const std::string repaired = writeOrthonormalizedNiftiCopy(readable, temp->path());
      auto niftiIo = createFileImageIO(repaired);
      if (!niftiIo) throw corrupt(path, e);
      niftiIo->SetFileName(repaired);
      readImageInformation(*niftiIo);
      result.volume = readOneFile(repaired, niftiIo, result.warnings);
      result.warnings.push_back(path +
                                " has a sheared (non-orthonormal) orientation matrix; it was read with the nearest "
                                "rotation, so positions far from the origin may be off slightly.");
    }
  } else {
    result.series = scanDicomSeries(path);
    if (result.series.empty()) {
      if (folder)
        throw Error(ErrorCode::NoImageFound,
                    "No DICOM image was found in " + path + ". To open a NIfTI, NRRD or MetaImage file, choose the file itself.",
                    path);
      throw Error(ErrorCode::UnsupportedFormat,
                  path + " is not an image ProtoLabel can read (NIfTI, NRRD, MetaImage or DICOM), or it is damaged.", path);
    }
    const DicomSeriesInfo& chosen = chooseSeries(result.series, options, path, result.seriesIndex);
    if (!chosen.skippedFiles.empty())
      result.warnings.push_back(std::to_string(chosen.skippedFiles.size()) + " file(s) in " + path +
                                " are damaged beyond parsing and were left out, e.g. " + chosen.skippedFiles.front());
    result.volume = readDicomSeriesVolume(chosen, result.warnings);
    result.dicomWindowCenter = chosen.windowCenter;
    result.dicomWindowWidth = chosen.windowWidth;
  }
  if (result.volume.geometry().isEmpty())
    throw Error(ErrorCode::EmptyDimension, path + " holds no voxels.", path);
  handleNonFinite(result.volume, options, path, result.warnings);
  return result;
}

}  // namespace protolabel::core
