#include "CommandLine.h"

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
  try {
    std::size_t used = 0;
    const int n = std::stoi(*value, &used);
    if (used != value->size()) throw std::invalid_argument(*value);
    return n;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects a whole number, not '" + *value + "'");
  }
}

}  // namespace protolabel::app
