#pragma once
#include <string>

namespace protolabel::core {

// Inflates the gzip file `source` into `destination`; throws CorruptFile when it is not valid gzip.
void inflateGzipFile(const std::string& source, const std::string& destination);

bool isGzipFile(const std::string& path);  // by the magic bytes

}  // namespace protolabel::core
