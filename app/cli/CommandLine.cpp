#include "CommandLine.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "protolabel/core/WholeNumber.h"

namespace protolabel::app {

CommandLine::CommandLine(const std::vector<std::string>& args, const std::set<std::string>& flags,
                         const std::set<std::string>& options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      const std::string name = a.substr(2);
      if (flags.count(name)) {
        flags_.insert(name);
      } else if (options.count(name)) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
        options_[name] = args[++i];
      } else {
        throw UsageError("unknown option " + a);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> CommandLine::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string CommandLine::option(const std::string& name, const std::string& fallback) const {
  return option(name).value_or(fallback);
}

std::optional<int> CommandLine::intOption(const std::string& name) const {
  auto value = option(name);
  if (!value) return std::nullopt;
  const auto n = core::parseWholeNumber(*value, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  if (!n) throw UsageError("--" + name + " expects a whole number, not '" + *value + "'");
  return int(*n);
}

std::optional<int64_t> CommandLine::intOption(const std::string& name, int64_t lo, int64_t hi) const {
  auto value = option(name);
  if (!value) return std::nullopt;
  const auto n = core::parseWholeNumber(*value, lo, hi);
  if (!n)
    throw UsageError("--" + name + " expects a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", not '" + *value + "'");
  return n;
}

std::optional<double> CommandLine::numberOption(const std::string& name, double lo, double hi) const {
  auto value = option(name);
  if (!value) return std::nullopt;
  double n = 0;
  std::size_t used = 0;
  try {
    n = std::stod(*value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value->size() || !std::isfinite(n) || n < lo || n > hi) {
    std::ostringstream range;
    range << lo << " to " << hi;
    throw UsageError("--" + name + " expects a number from " + range.str() + ", not '" + *value + "'");
  }
  return n;
}

std::optional<std::vector<int64_t>> CommandLine::intListOption(const std::string& name, int64_t lo, int64_t hi) const {
  auto value = option(name);
  if (!value) return std::nullopt;
  std::vector<int64_t> values;
  std::stringstream in(*value);
  for (std::string item; std::getline(in, item, ',');) {
    const auto n = core::parseWholeNumber(item, lo, hi);
    if (!n)
      throw UsageError("--" + name + " expects comma-separated whole numbers from " + std::to_string(lo) + " to " +
                       std::to_string(hi) + ", not '" + *value + "'");
    values.push_back(*n);
  }
  if (values.empty()) throw UsageError("--" + name + " needs at least one value");
  return values;
}

}  // namespace protolabel::app
