#include "protolabel/core/io/ImageWriter.h"

#include <itkImageFileWriter.h>

#include "AtomicWrite.h"
#include "CompletenessCheck.h"
#include "FileChecks.h"
#include "ItkBridge.h"
#include "WriteWithItk.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

bool isWritableImagePath(const std::string& path) {
  const std::string p = lowercase(path);
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"})
    if (endsWith(p, ext)) return true;
  return false;
}

namespace {
// Reads back the header of what was written and checks its data is all there (CompletenessCheck).
void verifyWritten(const std::string& written, const std::string& path) {
  auto io = createFileImageIO(written);
  try {
    if (!io) throw Error(ErrorCode::CorruptFile, "unreadable");
    io->SetFileName(written);
    readImageInformation(*io);
    requireCompleteData(written, *io);
  } catch (const std::exception&) {
    throw Error(ErrorCode::WriteFailed,
                "Cannot write " + path + ": the disk took only part of the data (is it full?). The previous file, "
                "if any, is unchanged.",
                path);
  }
}
}  // namespace

std::unique_ptr<StagedWrite> stageWithItk(const Volume& volume, const std::string& path, bool compress,
                                          const itk::MetaDataDictionary* meta) {
  ensureItkIoFactories();
  if (volume.isNull() || volume.geometry().isEmpty())
    throw Error(ErrorCode::EmptyDimension, "There is no image to write to " + path + ".", path);
  if (!isWritableImagePath(path))
    throw Error(ErrorCode::UnsupportedFormat,
                "Cannot write " + path + ": use .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd.", path);
  checkWriteTarget(path, {});
  return std::make_unique<StagedWrite>(path, [&](const std::string& temp) {
    dispatchPixelType(volume.pixelType(), [&](auto v) {
      using T = decltype(v);
      auto image = itkViewOf<T>(volume);
      if (meta) image->SetMetaDataDictionary(*meta);
      auto writer = itk::ImageFileWriter<ItkImage3<T>>::New();
      writer->SetInput(image);
      writer->SetFileName(temp);
      writer->SetUseCompression(compress);
      try {
        writer->Update();
      } catch (const itk::ExceptionObject& e) {
        throw Error(ErrorCode::WriteFailed, "Cannot write " + path + ": " + std::string(e.GetDescription()), path);
      }
    });
    verifyWritten(temp, path);
  });
}

void writeWithItk(const Volume& volume, const std::string& path, bool compress, const itk::MetaDataDictionary* meta) {
  stageWithItk(volume, path, compress, meta)->commit();
}

void writeImage(const Volume& volume, const std::string& path, const WriteOptions& options) {
  checkWriteTarget(path, options.protectedPaths);
  writeWithItk(volume, path, options.compress, nullptr);
}

void checkOutputPath(const std::string& path, const WriteOptions& options) {
  checkWriteTarget(path, options.protectedPaths);
}

}  // namespace protolabel::core
