#pragma once
// Runs library code that may abort the process on malformed input (Debian's GDCM is built with
// assertions enabled) in a forked child, so a bad file becomes an error instead of a crash.
#include <functional>
#include <string>

namespace protolabel::core {

struct IsolatedOutcome {
  enum class Status { Succeeded, Failed, Crashed } status;
  std::string output;  // what `work` returned, or the message of what it threw
  int errorCode = -1;  // the core::ErrorCode it threw, if any
};

// Calls `work` in a child process and returns its result. `timeoutSeconds` bounds a hung child.
IsolatedOutcome runIsolated(const std::function<std::string()>& work, int timeoutSeconds = 120);

}  // namespace protolabel::core
