// Writes the model fuzzers' seeds from a real model file: a ProtoLabel model archive holding its
// metadata and its three smallest tensors (a few KB, where the full file is 10 MB: the fuzzer
// mutates the archive's structure, the metadata and the tensor records, not megabytes of weights),
// and a PyTorch state_dict (.pth) with the same tensors, as torch.save writes it.
// Usage: make_model_seeds MODEL OUTPUT_DIR   (OUTPUT_DIR/model/, OUTPUT_DIR/model_pth/)
#include <torch/serialize.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_model_seeds MODEL OUTPUT_DIR\n";
    return 2;
  }
  torch::serialize::InputArchive in;
  in.load_from(argv[1]);
  torch::serialize::OutputArchive out;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const std::string& key : in.keys()) {
    c10::IValue value;
    if (!in.try_read(key, value)) continue;
    if (key.rfind("state.", 0) == 0 && value.isTensor()) tensors.emplace_back(key, value.toTensor());
    else out.write(key, value);
  }
  std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.second.numel() < b.second.numel(); });
  tensors.resize(std::min<std::size_t>(3, tensors.size()));
  c10::Dict<std::string, torch::Tensor> stateDict;
  for (const auto& [key, tensor] : tensors) {
    out.write(key, tensor);
    stateDict.insert(key.substr(6), tensor);
  }
  const fs::path dir = argv[2];
  fs::create_directories(dir / "model");
  fs::create_directories(dir / "model_pth");
  out.save_to((dir / "model" / "seed.pt").string());
  const std::vector<char> pickled = torch::pickle_save(c10::IValue(stateDict));
  std::ofstream((dir / "model_pth" / "seed.pth").string(), std::ios::binary)
      .write(pickled.data(), std::streamsize(pickled.size()));
  std::cout << "model seeds in " << dir << "\n";
  return 0;
}
