#include "Gzip.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "protolabel/core/Error.h"

namespace protolabel::core {

bool isGzipFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

void inflateGzipFile(const std::string& source, const std::string& destination) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(source.c_str(), "rb"), gzclose);
  if (!in) throw Error(ErrorCode::CorruptFile, "Cannot open the compressed file " + source, source);
  std::ofstream out(destination, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::WriteFailed, "Cannot write the temporary file " + destination, destination);
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const int n = gzread(in.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(in.get(), &code);
      throw Error(ErrorCode::CorruptFile,
                  source + " is damaged and cannot be decompressed (" + std::string(message ? message : "") + ").",
                  source);
    }
    if (n == 0) break;
    out.write(buffer.data(), n);
  }
  // gzread returns 0 at a truncated end too; gzeof tells a clean end from a cut-off stream.
  int code = Z_OK;
  gzerror(in.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END)
    throw Error(ErrorCode::CorruptFile, source + " is truncated or damaged.", source);
  if (!out) throw Error(ErrorCode::WriteFailed, "Cannot write the temporary file " + destination, destination);
}

}  // namespace protolabel::core
