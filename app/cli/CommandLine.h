#pragma once
// A small parser for `protolabel <command> [positional...] [--flag] [--option value]`.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace protolabel::app {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommandLine {
 public:
  // `flags` take no value; every other `--name` takes the next argument as its value.
  CommandLine(const std::vector<std::string>& args, const std::set<std::string>& flags,
              const std::set<std::string>& options);

  const std::vector<std::string>& positional() const { return positional_; }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  std::string option(const std::string& name, const std::string& fallback) const;
  std::optional<int> intOption(const std::string& name) const;
  // A whole number within [lo, hi]; anything else is a UsageError naming the option.
  std::optional<int64_t> intOption(const std::string& name, int64_t lo, int64_t hi) const;
  // A number within [lo, hi].
  std::optional<double> numberOption(const std::string& name, double lo, double hi) const;
  // Comma-separated whole numbers within [lo, hi] ("1,2,5").
  std::optional<std::vector<int64_t>> intListOption(const std::string& name, int64_t lo, int64_t hi) const;

 private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_;
  std::map<std::string, std::string> options_;
};

}  // namespace protolabel::app
