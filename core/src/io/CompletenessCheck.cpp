#include "CompletenessCheck.h"

#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <metaImage.h>
#include <nifti1_io.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

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

using NiftiHeader = std::unique_ptr<nifti_1_header, void (*)(void*)>;

NiftiHeader readNiftiHeader(const std::string& path, bool* swappedOut = nullptr) {
  int swapped = 0;
  NiftiHeader header(nifti_read_header(path.c_str(), &swapped, 0), std::free);  // unchecked: we check
  if (swappedOut) *swappedOut = swapped != 0;
  return header;
}

[[noreturn]] void badHeader(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::CorruptFile, path + " has a damaged NIfTI header: " + what + ".", path);
}

uint64_t niftiVoxelCount(const nifti_1_header& h) {
  uint64_t voxels = 1;
  for (int d = 1; d <= std::min<int>(h.dim[0], 7); ++d) voxels *= uint64_t(std::max<short>(h.dim[d], 1));
  return voxels;
}

// NaN or infinite values among the float voxels of a single-file NIfTI (read once, streamed).
int64_t countNonFiniteNiftiVoxels(const std::string& path, const nifti_1_header& h, bool swapped) {
  if (h.datatype != DT_FLOAT32 && h.datatype != DT_FLOAT64) return 0;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz(gzopen(path.c_str(), "rb"), gzclose);
  if (!gz || gzseek(gz.get(), z_off_t(h.vox_offset), SEEK_SET) < 0) return 0;
  const int size = h.datatype == DT_FLOAT32 ? 4 : 8;
  std::vector<char> buffer(std::size_t(1) << 20);
  uint64_t left = niftiVoxelCount(h) * uint64_t(size);
  int64_t bad = 0;
  while (left > 0) {
    const int n = gzread(gz.get(), buffer.data(), unsigned(std::min<uint64_t>(left, buffer.size())));
    if (n <= 0) break;
    for (int i = 0; i + size <= n; i += size) {
      if (swapped) std::reverse(buffer.data() + i, buffer.data() + i + size);
      double v;
      if (size == 4) {
        float f;
        std::memcpy(&f, buffer.data() + i, 4);
        v = f;
      } else {
        std::memcpy(&v, buffer.data() + i, 8);
      }
      bad += !std::isfinite(v);
    }
    left -= uint64_t(n);
  }
  return bad;
}

void checkNifti(const std::string& path) {
  const NiftiHeader header = readNiftiHeader(path);
  if (!header) return;  // ITK read it; a header niftilib cannot parse is ITK's business
  // On-disk size from the header itself: ITK reports the size after scl_slope scaling (often float).
  // The datatype decides the voxel size (bitpix was checked against it before ITK read the file).
  int bytesPerVoxel = 0, swapSize = 0;
  nifti_datatype_sizes(header->datatype, &bytesPerVoxel, &swapSize);
  const uint64_t expected = static_cast<uint64_t>(std::max(header->vox_offset, 0.f)) +
                            niftiVoxelCount(*header) * uint64_t(std::max(bytesPerVoxel, 1));
  // A single file holds its data; a pair (or an ANALYZE header, whatever its name) keeps it in the
  // .img niftilib looks for. ITK allocates the whole image before reading, so a missing or short
  // data file is refused here, not after gigabytes are taken.
  std::string data = path;
  if (std::string(header->magic, 3) != "n+1") {
    const int type = std::string(header->magic, 3) == "ni1" ? NIFTI_FTYPE_NIFTI1_2 : NIFTI_FTYPE_ANALYZE;
    std::unique_ptr<char, void (*)(void*)> image(nifti_findimgname(path.c_str(), type), std::free);
    if (!image) throw Error(ErrorCode::FileNotFound, "The image data file (.img) of " + path + " is missing.", path);
    data = image.get();
  }
  const bool gz = endsWith(lowercase(data), ".gz");
  const uint64_t available = gz ? inflatedSizeAtLeast(data, expected) : fileSize(data);
  if (available < expected) throwTruncated(data, available, expected);
}

// The MetaImage header as written: its key = value lines up to ElementDataFile, where the data
// begins (for LOCAL, right after that line) and what follows it (LIST file names).
struct MetaHeader {
  std::string dataFile;
  bool compressed = false;
  uint64_t dataOffset = 0;
  std::vector<std::string> listed;  // file names after "ElementDataFile = LIST"
};

MetaHeader readMetaHeader(const std::string& path) {
  MetaHeader h;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string t) {
      t.erase(0, t.find_first_not_of(" \t\r"));
      t.erase(t.find_last_not_of(" \t\r") + 1);
      return t;
    };
    const std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "CompressedData") h.compressed = value == "True" || value == "true" || value == "1";
    if (key == "ElementDataFile") {
      h.dataFile = value;
      h.dataOffset = static_cast<uint64_t>(in.tellg());
      if (value == "LIST" || value.rfind("LIST", 0) == 0)
        while (std::getline(in, line))
          if (!trim(line).empty()) h.listed.push_back(trim(line));
      break;
    }
  }
  return h;
}

// Inflates the zlib (or, with `gzip`, gzip) stream of `file` from `offset`: the bytes it yields, or
// -1 when it is damaged or ends early.
int64_t inflatedBytes(const std::string& file, uint64_t offset, bool gzip = false) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(std::streamoff(offset));
  z_stream z{};
  if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) return -1;
  std::vector<char> input(1 << 16), output(1 << 18);
  int64_t total = 0;
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    if (z.avail_in == 0) {
      in.read(input.data(), std::streamsize(input.size()));
      z.avail_in = uInt(in.gcount());
      z.next_in = reinterpret_cast<Bytef*>(input.data());
      if (z.avail_in == 0) break;  // the stream ends before its end marker: truncated
    }
    z.avail_out = uInt(output.size());
    z.next_out = reinterpret_cast<Bytef*>(output.data());
    result = inflate(&z, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) break;
    total += int64_t(output.size() - z.avail_out);
  }
  inflateEnd(&z);
  return result == Z_STREAM_END ? total : -1;
}

void checkMetaImage(const std::string& path, itk::MetaImageIO& io) {
  const MetaHeader h = readMetaHeader(path);
  const uint64_t expected = io.GetImageSizeInBytes();
  const fs::path folder = fs::path(path).parent_path();
  auto location = [&](const std::string& name) { return fs::path(name).is_absolute() ? name : (folder / name).string(); };
  auto requireFile = [&](const std::string& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
      throw Error(ErrorCode::FileNotFound, "The data file " + file + " named by " + path + " is missing.", path);
  };
  // One stream (LOCAL or a single data file) holding every voxel.
  auto checkStream = [&](const std::string& file, uint64_t offset, uint64_t bytes) {
    requireFile(file);
    if (h.compressed) {
      const int64_t inflated = inflatedBytes(file, offset);
      if (inflated < 0)
        throw Error(ErrorCode::CorruptFile, file + " holds damaged or truncated compressed image data.", path);
      if (uint64_t(inflated) < bytes) throwTruncated(file, uint64_t(inflated), bytes);
      return;
    }
    const uint64_t size = fileSize(file);
    const uint64_t available = size > offset ? size - offset : 0;
    if (available < bytes) throwTruncated(file, available, bytes);
  };
  if (h.dataFile == "LOCAL") return checkStream(path, h.dataOffset, expected);
  if (h.dataFile.rfind("LIST", 0) == 0 || h.dataFile.find('%') != std::string::npos) {
    // One file per slice (or per volume of a series): every one must be there and whole.
    std::vector<std::string> files;
    if (h.dataFile.rfind("LIST", 0) == 0) {
      for (const std::string& f : h.listed) files.push_back(location(f));
    } else {
      std::istringstream words(h.dataFile);
      std::string pattern;
      int first = 0, last = -1, step = 1;
      words >> pattern >> first >> last >> step;
      // One integer conversion (%d, %03d) and nothing else: the pattern comes from the file.
      static const std::regex safe("[^%]*%0?[0-9]{0,2}d[^%]*");
      if (!words || step <= 0 || last < first || !std::regex_match(pattern, safe))
        throw Error(ErrorCode::CorruptFile, path + " names its data files with an unreadable pattern.", path);
      for (int i = first; i <= last; i += step) {
        std::vector<char> name(pattern.size() + 32);
        std::snprintf(name.data(), name.size(), pattern.c_str(), i);
        files.push_back(location(name.data()));
      }
    }
    if (files.empty()) throw Error(ErrorCode::CorruptFile, path + " lists no data files.", path);
    if (expected % files.size() != 0)
      throw Error(ErrorCode::CorruptFile, path + " lists " + std::to_string(files.size()) +
                                              " data files, which do not divide its image evenly.", path);
    for (const std::string& f : files) checkStream(f, 0, expected / files.size());
    return;
  }
  checkStream(location(h.dataFile), 0, expected);
}

// NRRD: raw or gzip data, attached after the header's blank line or in a detached data file.
void checkNrrd(const std::string& path, itk::ImageIOBase& io) {
  std::ifstream in(path, std::ios::binary);
  std::string line, encoding = "raw", dataFile;
  uint64_t dataOffset = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      dataOffset = static_cast<uint64_t>(in.tellg());
      break;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || line[0] == '#') continue;
    std::string key = lowercase(line.substr(0, colon)), value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (value.rfind("=", 0) == 0) continue;  // key:=value pairs
    if (key == "encoding") encoding = lowercase(value);
    if (key == "data file" || key == "datafile") dataFile = value;
  }
  if (dataFile.rfind("LIST", 0) == 0 || dataFile.find('%') != std::string::npos) return;  // multi-file: ITK's care
  const uint64_t expected = io.GetImageSizeInBytes();
  const std::string file = dataFile.empty() ? path
                           : fs::path(dataFile).is_absolute() ? dataFile
                                                              : (fs::path(path).parent_path() / dataFile).string();
  const uint64_t offset = dataFile.empty() ? dataOffset : 0;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(ErrorCode::FileNotFound, "The data file " + file + " named by " + path + " is missing.", path);
  if (encoding == "raw") {
    const uint64_t size = fileSize(file), available = size > offset ? size - offset : 0;
    if (available < expected) throwTruncated(file, available, expected);
  } else if (encoding == "gzip" || encoding == "gz") {
    const int64_t inflated = inflatedBytes(file, offset, true);
    if (inflated < 0) throw Error(ErrorCode::CorruptFile, file + " holds damaged or truncated compressed image data.", path);
    if (uint64_t(inflated) < expected) throwTruncated(file, uint64_t(inflated), expected);
  }
}

}  // namespace

int64_t checkNiftiHeader(const std::string& path) {
  bool swapped = false;
  const NiftiHeader header = readNiftiHeader(path, &swapped);
  if (!header) return 0;  // not a header niftilib knows: ITK reports what it is
  const nifti_1_header& h = *header;
  if (h.dim[0] < 1 || h.dim[0] > 7) badHeader(path, "its number of dimensions is " + std::to_string(h.dim[0]));
  for (int d = 1; d <= h.dim[0]; ++d)
    if (h.dim[d] < 1)
      throw Error(ErrorCode::EmptyDimension,
                  path + " has " + std::to_string(h.dim[d]) + " voxels along dimension " + std::to_string(d) +
                      "; an image needs at least one.",
                  path);
  for (int d = 1; d <= std::min<int>(h.dim[0], 3); ++d)
    if (!std::isfinite(h.pixdim[d]) || h.pixdim[d] == 0) badHeader(path, "its voxel spacing is zero or not a number");
  auto finite = [](const float* v, int n) { return std::all_of(v, v + n, [](float x) { return std::isfinite(x); }); };
  if (h.sform_code > 0 && !(finite(h.srow_x, 4) && finite(h.srow_y, 4) && finite(h.srow_z, 4)))
    badHeader(path, "its orientation (sform) holds NaN or infinite numbers");
  const float q[6] = {h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x, h.qoffset_y, h.qoffset_z};
  if (h.qform_code > 0 && !finite(q, 6)) badHeader(path, "its orientation (qform) holds NaN or infinite numbers");
  int bytesPerVoxel = 0, swapSize = 0;
  nifti_datatype_sizes(h.datatype, &bytesPerVoxel, &swapSize);
  if (bytesPerVoxel <= 0) return 0;  // an unsupported datatype: ITK names it
  if (h.bitpix != 8 * bytesPerVoxel)
    badHeader(path, "bitpix " + std::to_string(h.bitpix) + " disagrees with its datatype (" +
                        std::to_string(8 * bytesPerVoxel) + " bits)");
  const std::string magic(h.magic, 3);
  if (magic == "n+1" && !(h.vox_offset >= 352))
    badHeader(path, "its image data would start at byte " + std::to_string(h.vox_offset) + ", inside the header");
  return magic == "n+1" ? countNonFiniteNiftiVoxels(path, h, swapped) : 0;
}

void checkMetaImageHeader(const std::string& path) {
  // MetaIO copies every key into a fixed 255-byte field name without a bound (a long key overflows it
  // and aborts the process), so the header is read here first: text lines "Key = Value" up to the
  // ElementDataFile line that ends it.
  auto damaged = [&](const std::string& what) {
    throw Error(ErrorCode::CorruptFile, path + " has a damaged MetaImage header: " + what + ".", path);
  };
  constexpr std::size_t kMaxKey = 128, kMaxHeader = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  std::string head(kMaxHeader, '\0');
  in.read(head.data(), std::streamsize(head.size()));
  head.resize(std::size_t(in.gcount()));
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos) damaged("a line is not of the form 'Key = Value'");
    std::string key = line.substr(0, equals);
    key.erase(key.find_last_not_of(" \t") + 1);
    key.erase(0, key.find_first_not_of(" \t"));
    if (key.empty() || key.size() > kMaxKey) damaged("a key is empty or longer than " + std::to_string(kMaxKey) + " characters");
    for (const char c : key)
      if (!std::isprint(static_cast<unsigned char>(c))) damaged("a key holds binary bytes");
    // MetaIO reads NDims numbers for every array field that follows: a huge NDims is a hang.
    if (key == "NDims") {
      std::string value = line.substr(equals + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      const bool digits = std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (value.empty() || value.size() > 2 || !digits || std::stoi(value) < 1 || std::stoi(value) > 10)
        damaged("NDims is not a whole number from 1 to 10");
    }
    if (key == "ElementDataFile") return;
  }
  damaged("it has no ElementDataFile line in its first megabyte");
}

void requireCompleteData(const std::string& path, itk::ImageIOBase& io) {
  if (dynamic_cast<itk::NiftiImageIO*>(&io)) return checkNifti(path);
  if (dynamic_cast<itk::NrrdImageIO*>(&io)) return checkNrrd(path, io);
  if (auto* meta = dynamic_cast<itk::MetaImageIO*>(&io)) return checkMetaImage(path, *meta);
}

}  // namespace protolabel::core
