#include "Jpeg2000Check.h"

#include <gdcmReader.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmTransferSyntax.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

// GDCM's walk as it is written: `cur` where it reads, `left` the count it believes remains (it wraps,
// and after a box it is not decreased). Each read is also checked against the real end `size`.
class GdcmStreamWalk {
 public:
  GdcmStreamWalk(const unsigned char* data, std::size_t size) : data_(data), size_(size) {}

  // true: GDCM stays inside the stream; false: it would read outside it or assert.
  bool codestream(std::size_t cur, std::size_t left) const {
    for (;;) {
      uint64_t marker = 0, length = 0;
      int r = read(cur, left, 2, marker);
      if (r <= 0) return r == 0;
      if (!hasNoLength(uint16_t(marker))) {
        r = read(cur, left, 2, length);
        if (r < 0) return false;
        if (r == 0 || length < 2) return true;
        if (marker == 0xFF52) {  // COD: GDCM reads its 5th and 10th bytes
          if (cur > size_ || size_ - cur < 10) return false;
          if (data_[cur + 4] > 1 || data_[cur + 9] != 1) return true;
        }
        cur += std::size_t(length - 2);
        left -= std::size_t(length - 2);
      } else if (marker == 0xFF93) {  // SOD
        return true;
      }
    }
  }

  bool jp2() const {
    std::size_t cur = 0, left = size_;
    for (;;) {
      uint64_t length = 0, box = 0;
      int r = read(cur, left, 4, length);
      if (r <= 0) return r == 0;
      r = read(cur, left, 4, box);
      if (r <= 0) return r == 0;
      if (length == 1) {
        if (read(cur, left, 8, length) <= 0) return false;  // GDCM asserts it can read 8 bytes
        length -= 8;
      }
      if (box == 0x6A703263) {  // jp2c, the codestream
        if (length == 0) length = size_ - cur + 8;
        if (length < 8) return false;  // GDCM asserts
        return codestream(cur, std::size_t(length - 8));
      }
      cur += std::size_t(length - 8);
    }
  }

 private:
  static bool hasNoLength(uint16_t marker) {
    return (marker >= 0xFF30 && marker <= 0xFF3F) || marker == 0xFF4F || marker == 0xFF93 || marker == 0xFFD9 ||
           marker == 0xFF92;
  }

  // 0: GDCM's count says nothing is left (it stops); -1: it would read outside; 1: read, big-endian.
  int read(std::size_t& cur, std::size_t& left, std::size_t bytes, uint64_t& value) const {
    if (left < bytes) return 0;
    if (cur > size_ || size_ - cur < bytes) return -1;
    value = 0;
    for (std::size_t i = 0; i < bytes; ++i) value = value << 8 | data_[cur + i];
    cur += bytes;
    left -= bytes;
    return 1;
  }

  const unsigned char* data_;
  std::size_t size_;
};

bool gdcmReadsWithin(const std::vector<unsigned char>& stream) {
  static const unsigned char kJp2Magic[12] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
  if (stream.size() < sizeof kJp2Magic) return false;  // GDCM compares 12 bytes first
  // Decoding, GDCM trims the stream back to its last 0xD9 byte and asserts there is one.
  if (std::find(stream.begin(), stream.end(), 0xD9) == stream.end()) return false;
  const GdcmStreamWalk walk(stream.data(), stream.size());
  return std::memcmp(stream.data(), kJp2Magic, sizeof kJp2Magic) == 0 ? walk.jp2() : walk.codestream(0, stream.size());
}

bool isJpeg2000(const gdcm::TransferSyntax& syntax) {
  return syntax == gdcm::TransferSyntax::JPEG2000Lossless || syntax == gdcm::TransferSyntax::JPEG2000 ||
         syntax == gdcm::TransferSyntax::JPEG2000Part2Lossless || syntax == gdcm::TransferSyntax::JPEG2000Part2;
}

}  // namespace

bool isJpeg2000File(const std::string& file) {
  gdcm::Reader reader;
  reader.SetFileName(file.c_str());
  const std::set<gdcm::Tag> none;
  reader.ReadUpToTag(gdcm::Tag(0x0008, 0x0000), none);  // the meta header names the syntax
  return isJpeg2000(reader.GetFile().GetHeader().GetDataSetTransferSyntax());
}

void refuseJpeg2000StreamsGdcmMisreads(const std::string& file) {
  // The header alone first: every DICOM file passes here, and only JPEG 2000 ones need the data set.
  if (!isJpeg2000File(file)) return;
  gdcm::Reader reader;  // the data set only: no codec runs
  reader.SetFileName(file.c_str());
  if (!reader.Read()) return;  // not parsed: the readers after this one refuse it
  if (!isJpeg2000(reader.GetFile().GetHeader().GetDataSetTransferSyntax())) return;
  const gdcm::DataSet& dataSet = reader.GetFile().GetDataSet();
  const gdcm::Tag pixelData(0x7FE0, 0x0010);
  if (!dataSet.FindDataElement(pixelData)) return;
  const gdcm::SequenceOfFragments* fragments = dataSet.GetDataElement(pixelData).GetSequenceOfFragments();
  if (!fragments) return;
  // GDCM reads the first fragment's header, decodes a single frame from the fragments joined and
  // each frame of a multi-frame image from its own fragment.
  std::vector<std::vector<unsigned char>> parts;
  for (unsigned i = 0; i < fragments->GetNumberOfFragments(); ++i) {
    const gdcm::ByteValue* bytes = fragments->GetFragment(i).GetByteValue();
    const auto* begin = bytes ? reinterpret_cast<const unsigned char*>(bytes->GetPointer()) : nullptr;
    parts.emplace_back(begin, begin ? begin + bytes->GetLength() : begin);
  }
  if (parts.empty()) return;
  std::vector<unsigned char> joined;
  for (const auto& part : parts) joined.insert(joined.end(), part.begin(), part.end());
  bool safe = gdcmReadsWithin(parts.front()) && gdcmReadsWithin(joined);
  const gdcm::Tag numberOfFrames(0x0028, 0x0008);
  int frames = 1;
  if (dataSet.FindDataElement(numberOfFrames))
    if (const gdcm::ByteValue* value = dataSet.GetDataElement(numberOfFrames).GetByteValue())
      frames = std::atoi(std::string(value->GetPointer(), value->GetLength()).c_str());
  if (safe && frames > 1)
    for (const auto& part : parts) safe = safe && gdcmReadsWithin(part);
  if (!safe)
    throw Error(ErrorCode::CorruptFile,
                file + " is damaged: its JPEG 2000 pixel data declares lengths beyond its own end.", file);
}

}  // namespace protolabel::core
