#include "DicomPixelReader.h"

#include "DicomLengthCheck.h"
#include "Jpeg2000Check.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "GdcmWarningCapture.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

// Converts `count` stored values of type S to D, keeping only the low `bitsStored` bits (with sign
// extension for signed data, as GDCM does) and applying the rescale.
template <class S, class D>
void convertSlice(const char* raw, std::size_t count, int bitsStored, double slope, double intercept, D* dst) {
  const S* src = reinterpret_cast<const S*>(raw);
  const int unused = int(8 * sizeof(S)) - bitsStored;
  const bool identity = slope == 1.0 && intercept == 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    S stored = src[i];
    if constexpr (std::is_integral_v<S>) {
      if (unused > 0 && unused < int(8 * sizeof(S))) {
        using U = std::make_unsigned_t<S>;
        if constexpr (std::is_signed_v<S>)
          stored = static_cast<S>(static_cast<S>(static_cast<U>(stored) << unused) >> unused);
        else
          stored = static_cast<S>(stored & static_cast<U>((U(1) << bitsStored) - 1));
      }
    }
    double v = identity ? double(stored) : double(stored) * slope + intercept;
    if constexpr (!std::is_floating_point_v<D>)
      v = std::clamp(std::round(v), double(std::numeric_limits<D>::lowest()), double(std::numeric_limits<D>::max()));
    dst[i] = static_cast<D>(v);
  }
}

// Uncompressed little-endian pixel data can be used where it lies in the parsed file; GDCM's
// GetBuffer would copy it through a string stream first, which costs more than the whole parse.
const char* directPixelBytes(const gdcm::Image& image, std::size_t needed) {
  const gdcm::TransferSyntax& ts = image.GetTransferSyntax();
  const gdcm::PixelFormat& pf = image.GetPixelFormat();
  if (ts.IsEncapsulated() || ts.GetSwapCode() != gdcm::SwapCode::LittleEndian) return nullptr;
  if (pf.GetHighBit() + 1 != pf.GetBitsStored()) return nullptr;
  const gdcm::ByteValue* bytes = image.GetDataElement().GetByteValue();
  if (!bytes || bytes->GetLength() < needed) return nullptr;
  return bytes->GetPointer();
}

template <class D>
void decodeFile(const std::string& file, int64_t width, int64_t height, D* dst, bool jpeg2000) {
  if (jpeg2000) refuseJpeg2000StreamsGdcmMisreads(file);  // before this file's own codec runs below
  gdcm::ImageReader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) throw Error(ErrorCode::CorruptFile, file + " cannot be parsed as a DICOM image.", file);
  const gdcm::Image& image = reader.GetImage();
  const unsigned* dims = image.GetDimensions();
  if (int64_t(dims[0]) != width || int64_t(dims[1]) != height)
    throw Error(ErrorCode::CorruptFile,
                file + " is " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]) + " while the series is " +
                    std::to_string(width) + "x" + std::to_string(height) + ".",
                file);
  const gdcm::PixelFormat& format = image.GetPixelFormat();
  if (format.GetSamplesPerPixel() != 1)
    throw Error(ErrorCode::UnsupportedFormat, file + " is a colour image; series of colour images are not supported.", file);

  const std::size_t count = std::size_t(width * height);
  const std::size_t length = image.GetBufferLength();
  const char* raw = directPixelBytes(image, length);
  int bitsStored = format.GetBitsStored();
  std::vector<char> decoded;
  if (!raw) {
    decoded.resize(length);
    if (!image.GetBuffer(decoded.data()))
      throw Error(ErrorCode::CorruptFile,
                  file + ": its pixel data cannot be decoded (damaged or unsupported compression).", file);
    raw = decoded.data();
    // GetBuffer cleans the unused bits, except where a JPEG 2000 stream holds signed data as unsigned
    // (J2K_pixelrep_mismatch.dcm: 13 bits stored, 0..8191 instead of -2000..1896); sign extension
    // from the stored bits is a no-op on values already extended.
    const bool signedInLowBits = format.GetPixelRepresentation() == 1 && format.GetHighBit() + 1 == format.GetBitsStored();
    if (!signedInLowBits) bitsStored = format.GetBitsAllocated();
  }
  const double slope = image.GetSlope(), intercept = image.GetIntercept();
  switch (format.GetScalarType()) {
    case gdcm::PixelFormat::UINT8: return convertSlice<uint8_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::INT8: return convertSlice<int8_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::UINT16: return convertSlice<uint16_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::INT16: return convertSlice<int16_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::UINT32: return convertSlice<uint32_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::INT32: return convertSlice<int32_t>(raw, count, bitsStored, slope, intercept, dst);
    case gdcm::PixelFormat::FLOAT32: return convertSlice<float>(raw, count, 32, slope, intercept, dst);
    case gdcm::PixelFormat::FLOAT64: return convertSlice<double>(raw, count, 64, slope, intercept, dst);
    default:
      throw Error(ErrorCode::UnsupportedFormat, file + " stores pixels in a format ProtoLabel cannot read.", file);
  }
}

}  // namespace

void decodeDicomSeriesPixels(const std::vector<std::string>& files, Volume& volume) {
  const int64_t width = volume.size()[0], height = volume.size()[1];
  if (int64_t(files.size()) != volume.size()[2])
    throw std::logic_error("decodeDicomSeriesPixels: one file per slice expected");
  GdcmWarningCapture warnings;
  const bool jpeg2000 = isJpeg2000File(files.front());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failureMutex;
  auto worker = [&] {
    for (std::size_t z; (z = next++) < files.size();) {
      try {
        dispatchPixelType(volume.pixelType(), [&](auto v) {
          using D = decltype(v);
          decodeFile<D>(files[z], width, height, volume.data<D>() + z * width * height, jpeg2000);
        });
      } catch (...) {
        std::lock_guard<std::mutex> lock(failureMutex);
        if (!failure) failure = std::current_exception();
        next = files.size();  // stop the other workers early
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), 8u));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, files.size()); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (warnings.sawTruncatedPixelData())
    throw Error(ErrorCode::CorruptFile,
                files.size() == 1 ? files.front() + " is truncated: its pixel data ends early."
                                  : "A file of the series is truncated: its pixel data ends early. Copy or download the series again.",
                files.front());
}

DicomPixelFacts requirePlausiblePixelData(const std::string& file, bool singleFile) {
  refuseImpossibleElementLengths(file);
  refuseJpeg2000StreamsGdcmMisreads(file);
  gdcm::ImageReader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) throw Error(ErrorCode::CorruptFile, file + " cannot be parsed as a DICOM image.", file);
  const gdcm::Image& image = reader.GetImage();
  const unsigned int* dims = image.GetDimensions();
  const uint64_t frames = image.GetNumberOfDimensions() > 2 ? std::max(1u, dims[2]) : 1u;
  const gdcm::PixelFormat& pf = image.GetPixelFormat();
  const uint64_t announced = uint64_t(dims[0]) * dims[1] * frames * pf.GetSamplesPerPixel() * ((pf.GetBitsAllocated() + 7) / 8);
  const gdcm::DataElement& pixels = image.GetDataElement();
  uint64_t stored = 0;
  if (const gdcm::ByteValue* bytes = pixels.GetByteValue()) stored = bytes->GetLength();
  else if (const gdcm::SequenceOfFragments* fragments = pixels.GetSequenceOfFragments()) stored = fragments->ComputeByteLength();
  // GDCM inverts MONOCHROME1 data for ITK and asserts that signed 16-bit data does not store 12 bits:
  // Debian builds it with assertions on, so that file ended the program (found by fuzz_dcm_inprocess).
  const bool monochrome1 = image.GetPhotometricInterpretation() == gdcm::PhotometricInterpretation::MONOCHROME1;
  const bool throughItk = singleFile && (frames > 1 || pf.GetSamplesPerPixel() > 1);
  if (throughItk && monochrome1 &&
      pf.GetPixelRepresentation() != 0 && pf.GetBitsAllocated() == 16 && pf.GetBitsStored() == 12)
    throw Error(ErrorCode::UnsupportedFormat,
                file + " stores signed 12-bit MONOCHROME1 pixels, which ProtoLabel's DICOM library cannot convert.", file);
  const bool compressed = image.GetTransferSyntax().IsEncapsulated();
  if ((!compressed && stored < announced) || (compressed && stored * 1000 < announced))
    throw Error(ErrorCode::CorruptFile,
                file + " announces " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) + " pixels" +
                    (frames > 1 ? " x " + std::to_string(frames) + " frames" : std::string()) + " but holds only " +
                    std::to_string(stored) + " bytes of pixel data: the file is damaged.",
                file);
  return DicomPixelFacts{monochrome1, throughItk};
}

}  // namespace protolabel::core
