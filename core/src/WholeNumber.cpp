#include "protolabel/core/WholeNumber.h"

#include <charconv>

namespace protolabel::core {

std::optional<int64_t> parseWholeNumber(const std::string& text, int64_t lo, int64_t hi) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars takes no leading '+' or spaces and reports overflow instead of wrapping.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi) return std::nullopt;
  return value;
}

}  // namespace protolabel::core
