#include "TrainingVolume.h"

#include <fstream>

#include "protolabel/inference/Types.h"

namespace protolabel::inference::training {

namespace {
EngineError bad(const std::string& path, const std::string& why) {
  return EngineError(EngineError::Code::InvalidInput, path + " is not a usable training volume: " + why);
}

torch::Tensor readArray(std::ifstream& in, int64_t count, torch::ScalarType type, const std::string& path) {
  torch::Tensor t = torch::empty({count}, type);
  in.read(static_cast<char*>(t.data_ptr()), std::streamsize(count * int64_t(t.element_size())));
  if (!in) throw bad(path, "it is truncated");
  return t;
}
}  // namespace

TrainingVolume loadTrainingVolume(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad(path, "cannot open it");
  std::string magic, version, word;
  int64_t nx = 0, ny = 0, nz = 0;
  double sx = 0, sy = 0, sz = 0;
  in >> magic >> version >> word >> nx >> ny >> nz >> word >> sx >> sy >> sz >> word;
  if (magic != "PROTOLABEL-TRAINING-VOLUME" || version != "1" || word != "data" || nx <= 0 || ny <= 0 || nz <= 0)
    throw bad(path, "its header is not PROTOLABEL-TRAINING-VOLUME 1");
  in.get();  // the newline after "data"
  const int64_t n = nx * ny * nz;
  TrainingVolume v;
  v.path = path;
  const torch::Tensor image = readArray(in, n, torch::kFloat32, path).view({nz, ny, nx});
  // uint16 on disk; int16 storage reinterpreted and widened keeps values up to 65535.
  auto widen = [&](const torch::Tensor& raw) { return raw.to(torch::kInt32).bitwise_and(0xFFFF).view({nz, ny, nx}); };
  v.supervoxels = widen(readArray(in, n, torch::kInt16, path));
  v.labels = widen(readArray(in, n, torch::kInt16, path));
  const double mean = image.mean().item<double>(), std = image.std().item<double>();
  v.image = (image - mean) / (std > 0 ? std : 1.0);
  v.minimum = v.image.min().item<double>();
  v.spacing = {sx, sy, sz};
  if (!(sx > 0) || !(sy > 0) || !(sz > 0)) throw bad(path, "its spacing is not positive");
  return v;
}

}  // namespace protolabel::inference::training
