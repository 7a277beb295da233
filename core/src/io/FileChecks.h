#pragma once
// Checks run before handing a path to ITK, so users get a precise reason instead of a library error.
#include <cstdint>
#include <string>

namespace protolabel::core {

// Throws FileNotFound, IsDirectory or PermissionDenied as appropriate.
void requireReadableFile(const std::string& path);
// Throws FileNotFound or PermissionDenied for a folder that cannot be listed.
void requireReadableDirectory(const std::string& path);
// Throws TooLarge when `bytes` exceed what this machine can hold in memory.
void requireFitsInMemory(uint64_t bytes, const std::string& path);

bool endsWith(const std::string& text, const std::string& suffix);
std::string lowercase(std::string text);

}  // namespace protolabel::core
