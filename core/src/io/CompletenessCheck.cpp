#include "CompletenessCheck.h"

#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <metaImage.h>
#include <nifti1_io.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "FileChecks.h"
#include "protolabel/core/Error.h"

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

[[noreturn]] void throwTruncated(const std::string& path, uint64_t available, uint64_t expected) {
  throw Error(ErrorCode::CorruptFile,
              path + " is truncated: it holds " + std::to_string(available) + " bytes of image data where its header "
              "announces " + std::to_string(expected) + ". Copy or download the file again.",
              path);
}

uint64_t fileSize(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

// The gzip trailer stores the uncompressed size modulo 2^32; when it matches there is nothing to do,
// otherwise (a truncated stream, or several gzip members) count the inflated bytes for certain.
uint64_t inflatedSizeAtLeast(const std::string& path, uint64_t expected) {
  {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const auto size = static_cast<int64_t>(in.tellg());
    if (size >= 4) {
      unsigned char trailer[4];
      in.seekg(size - 4);
      in.read(reinterpret_cast<char*>(trailer), 4);
      const uint32_t isize = trailer[0] | (trailer[1] << 8) | (trailer[2] << 16) | (uint32_t(trailer[3]) << 24);
      if (isize == static_cast<uint32_t>(expected)) return expected;
    }
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz(gzopen(path.c_str(), "rb"), gzclose);
  if (!gz) return 0;
  std::vector<char> buffer(1 << 20);
  uint64_t total = 0;
  for (int n; (n = gzread(gz.get(), buffer.data(), unsigned(buffer.size()))) > 0;) total += uint64_t(n);
  return total;
}

void checkNifti(const std::string& path) {
  int swapped = 0;
  std::unique_ptr<nifti_1_header, void (*)(void*)> header(nifti_read_header(path.c_str(), &swapped, 1), std::free);
  if (!header) return;  // ITK read it; a header niftilib cannot parse is ITK's business
  const std::string magic(header->magic, 3);
  if (magic != "n+1") return;  // .hdr/.img pairs keep the data elsewhere
  // On-disk size from the header itself: ITK reports the size after scl_slope scaling (often float).
  uint64_t voxels = 1;
  for (int d = 1; d <= std::min<int>(header->dim[0], 7); ++d) voxels *= uint64_t(std::max<short>(header->dim[d], 1));
  const uint64_t expected = static_cast<uint64_t>(header->vox_offset) + voxels * uint64_t(header->bitpix / 8);
  const bool gz = endsWith(lowercase(path), ".gz");
  const uint64_t available = gz ? inflatedSizeAtLeast(path, expected) : fileSize(path);
  if (available < expected) throwTruncated(path, available, expected);
}

void checkMetaImage(const std::string& path, itk::MetaImageIO& io) {
  const MetaImage* meta = io.GetMetaImagePointer();
  if (!meta || meta->CompressedData()) return;  // zlib reports damaged compressed data itself
  const std::string dataFile = meta->ElementDataFileName();
  if (dataFile == "LIST" || dataFile.find('%') != std::string::npos) return;
  const std::string location =
      dataFile == "LOCAL" ? path : (fs::path(path).parent_path() / dataFile).string();
  const uint64_t available = fileSize(location);
  if (available < io.GetImageSizeInBytes()) throwTruncated(location, available, io.GetImageSizeInBytes());
}

}  // namespace

void requireCompleteData(const std::string& path, itk::ImageIOBase& io) {
  if (dynamic_cast<itk::NiftiImageIO*>(&io)) return checkNifti(path);
  if (auto* meta = dynamic_cast<itk::MetaImageIO*>(&io)) return checkMetaImage(path, *meta);
}

}  // namespace protolabel::core
