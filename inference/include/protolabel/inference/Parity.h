#pragma once
// Parity with the authors' reference implementation: fills the paper preset with the closed-form
// weights of the parity vectors, injects the recorded random draws, runs the recorded inputs module by
// module and end to end, and compares every recorded tensor within the vectors' tolerances.
#include <string>
#include <vector>

#include "protolabel/inference/Types.h"

namespace protolabel::inference {

struct ParityCheck {
  std::string key;        // the recorded tensor
  std::string metric;     // "rel" (max abs error / max abs reference), "abs", or "exact"
  double error = 0;
  double tolerance = 0;
  bool passed() const { return error <= tolerance; }
};

struct ParityReport {
  std::vector<ParityCheck> checks;
  bool passed() const;
  int failures() const;
};

// Throws std::runtime_error when the file cannot be read or lacks expected keys.
ParityReport runParity(const std::string& vectorsPath, Device device = Device::Cpu);

}  // namespace protolabel::inference
