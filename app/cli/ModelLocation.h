#pragma once
#include <string>

namespace protolabel::app {

// The model shipped with the application (installed beside the executable under
// share/protolabel/models, or in the source tree's resources/models for a build tree); empty if none.
std::string defaultModelPath();

// The bundled sample CT, its organ labels and its saved examples (share/protolabel/sample, or
// resources/sample); empty if none.
struct SamplePaths {
  std::string image, labels, examples;
};

// The shipped model's card (README.md beside it); empty if none.
std::string modelCardPath();
SamplePaths samplePaths();

}  // namespace protolabel::app
