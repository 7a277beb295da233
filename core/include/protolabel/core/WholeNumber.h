#pragma once
// Strict parsing of whole numbers from text the user controls (command lines, label files,
// workspaces): the whole text must be one number in [lo, hi]. std::stoi alone takes "1abc" as 1,
// and a cast would wrap 70000 into a uint16 label.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace protolabel::core {

std::optional<int64_t> parseWholeNumber(const std::string& text, int64_t lo = std::numeric_limits<int64_t>::min(),
                                        int64_t hi = std::numeric_limits<int64_t>::max());

}  // namespace protolabel::core
