// libFuzzer harness for model files, read exactly as the application reads them. PROTOLABEL_FUZZ_FORMAT:
// model (a ProtoLabel model archive: Model::inspect, then Model::load on the CPU) or model_pth (a
// PyTorch state_dict imported into a model: Model::importStateDict). Bad input must end in
// EngineError; anything else (a crash, a sanitizer report, a c10::Error or other exception escaping,
// an allocation beyond -malloc_limit_mb) is a finding.
//
// As in fuzz_reader.cpp, the code under test has no coverage instrumentation (LibTorch is Debian's),
// so the harness reports its own features: which refusal an input met (its message without the
// file name) and, per refusal, the input's size class.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "protolabel/inference/Model.h"
#include "protolabel/inference/Types.h"

extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t* start, uint8_t* stop);

namespace {

using protolabel::inference::Device;
using protolabel::inference::EngineError;
using protolabel::inference::Model;

constexpr int kOutcomes = 256, kSizeClasses = 16;
uint8_t features[kOutcomes * kSizeClasses];

void reach(std::size_t outcome, size_t size) {
  int sizeClass = 0;
  while (size > 1 && sizeClass + 1 < kSizeClasses) size >>= 1, ++sizeClass;
  ++features[(outcome % kOutcomes) * kSizeClasses + sizeClass];
}

const std::string kFormat = PROTOLABEL_FUZZ_FORMAT;

const std::string& inputPath() {
  static const std::string path =
      "/dev/shm/protolabel-fuzz-" + std::to_string(getpid()) + (kFormat == "model" ? ".pt" : ".pth");
  return path;
}

// The refusal, told apart by its message with the file's name taken out.
std::size_t refusal(const std::string& message) {
  std::string text = message;
  for (std::size_t at; (at = text.find(inputPath())) != std::string::npos;) text.erase(at, inputPath().size());
  return std::hash<std::string>()(text) % (kOutcomes - 1);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  __sanitizer_cov_8bit_counters_init(features, features + sizeof features);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FILE* f = std::fopen(inputPath().c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    if (kFormat == "model") {
      Model::inspect(inputPath());
      Model::load(inputPath(), Device::Cpu);
    } else {
      static const std::shared_ptr<Model> model = Model::create("lite", 1, Device::Cpu);
      model->importStateDict(inputPath());
    }
    reach(kOutcomes - 1, size);
  } catch (const EngineError& e) {
    reach(refusal(e.what()), size);
  }
  return 0;
}
