#include "protolabel/inference/Model.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/script.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>

#include "ArchiveCheck.h"
#include "ModelImpl.h"

namespace protolabel::inference {

namespace {

constexpr const char* kFormatVersion = "protolabel-cow-1";
constexpr const char* kCreatedBy = "ProtoLabel 0.2";

// The reference initialisation: Kaiming-normal (fan_out) convolutions, BN weight 1 and bias 0.
void initialiseLikeReference(nn::CowNet& net) {
  torch::NoGradGuard noGrad;
  const bool quiet = net->config().quietOutputInit;
  for (auto& module : net->modules(/*include_self=*/false)) {
    if (auto* conv = module->as<torch::nn::Conv2d>()) {
      if (quiet && conv->options.out_channels() == 1)
        torch::nn::init::normal_(conv->weight, 0.0, 1e-3);
      else
        torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    }
  }
}

std::string readString(torch::serialize::InputArchive& archive, const std::string& key, const std::string& fallback = {}) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString()) return fallback;
  return value.toStringRef();
}

int64_t readInt(torch::serialize::InputArchive& archive, const std::string& key, int64_t fallback = 0) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isInt()) return fallback;
  return value.toInt();
}

double readDouble(torch::serialize::InputArchive& archive, const std::string& key, double fallback) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isDouble()) return fallback;
  return value.toDouble();
}

EngineError fileError(const std::string& path, const std::string& why) {
  return EngineError(EngineError::Code::ModelFile, path + " is not a usable ProtoLabel model: " + why);
}

}  // namespace

const char* deviceName(Device device) {
  switch (device) {
    case Device::Auto: return "auto";
    case Device::Cpu: return "cpu";
    case Device::Cuda: return "cuda";
  }
  return "unknown";
}

Device parseDevice(const std::string& name) {
  if (name == "auto") return Device::Auto;
  if (name == "cpu") return Device::Cpu;
  if (name == "cuda" || name == "gpu") return Device::Cuda;
  throw EngineError(EngineError::Code::Device, "unknown device '" + name + "' (use auto, cpu or cuda)");
}

torch::Device resolveDevice(Device device) {
  const bool cuda = torch::cuda::is_available();
  if (device == Device::Cuda && !cuda)
    throw EngineError(EngineError::Code::Device,
                      "CUDA was requested but this build of LibTorch or this machine has no usable GPU; use --device cpu");
  return (device == Device::Cuda || (device == Device::Auto && cuda)) ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

std::shared_ptr<Model> Model::create(const std::string& preset, uint64_t seed, Device device,
                                     const std::string& method) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->config = nn::CowConfig::byName(preset, method);
  } catch (const std::invalid_argument& e) {
    throw EngineError(EngineError::Code::InvalidInput, e.what());
  }
  torch::manual_seed(seed);
  impl->net = nn::CowNet(impl->config);
  initialiseLikeReference(impl->net);
  impl->device = resolveDevice(device);
  impl->net->to(impl->device);
  impl->training = "untrained (seed " + std::to_string(seed) + ")";
  return std::shared_ptr<Model>(new Model(std::move(impl)));
}

std::shared_ptr<Model> Model::clone() const {
  auto impl = std::make_unique<Impl>();
  impl->config = impl_->config;
  impl->net = nn::CowNet(impl->config);
  impl->device = impl_->device;
  impl->training = impl_->training;
  impl->loadedAsHalf = impl_->loadedAsHalf;
  impl->preprocessing = impl_->preprocessing;
  {
    torch::NoGradGuard noGrad;
    const auto from = nn::stateDictEntries(*impl_->net);
    const auto to = nn::stateDictEntries(*impl->net);
    for (std::size_t i = 0; i < to.size(); ++i) to[i].second.copy_(from[i].second);
  }
  impl->net->to(impl->device);
  impl->net->eval();
  return std::shared_ptr<Model>(new Model(std::move(impl)));
}

ModelInfo Model::info() const {
  ModelInfo i;
  i.preset = impl_->config.preset;
  i.method = impl_->config.method;
  i.inputSize = impl_->config.inputSize;
  for (const auto& p : impl_->net->parameters()) i.parameters += p.numel();
  i.featureChannels = impl_->config.featureChannels;
  const bool single = impl_->config.singlePrototype();
  i.fgPrototypes = single ? 1 : impl_->config.fgPrototypes();
  i.bgPrototypes = single ? 1 : impl_->config.bgPrototypes();
  i.training = impl_->training;
  i.formatVersion = kFormatVersion;
  i.createdBy = kCreatedBy;
  i.halfPrecision = impl_->loadedAsHalf;
  i.preprocessing = impl_->preprocessing;
  return i;
}

void Model::setTrainingSummary(const std::string& summary) { impl_->training = summary; }
void Model::setPreprocessing(const Preprocessing& preprocessing) { impl_->preprocessing = preprocessing; }

Device Model::device() const { return impl_->device.is_cuda() ? Device::Cuda : Device::Cpu; }

void writeModelArchive(const Model& model, torch::serialize::OutputArchive& archive, bool halfPrecision) {
  const ModelInfo i = model.info();
  archive.write("meta.format", c10::IValue(std::string(kFormatVersion)));
  archive.write("meta.created_by", c10::IValue(std::string(kCreatedBy)));
  archive.write("meta.preset", c10::IValue(i.preset));
  archive.write("meta.method", c10::IValue(i.method));
  archive.write("meta.input_size", c10::IValue(i.inputSize));
  archive.write("meta.parameters", c10::IValue(i.parameters));
  archive.write("meta.training", c10::IValue(i.training));
  archive.write("meta.half_precision", c10::IValue(int64_t(halfPrecision)));
  archive.write("meta.preprocess.ct_window_low", c10::IValue(i.preprocessing.ctWindowLow));
  archive.write("meta.preprocess.ct_window_high", c10::IValue(i.preprocessing.ctWindowHigh));
  archive.write("meta.preprocess.orientation", c10::IValue(i.preprocessing.orientation));
  for (const auto& [name, tensor] : nn::stateDictEntries(*model.impl().net)) {
    torch::Tensor t = tensor.detach().cpu();
    if (halfPrecision && t.is_floating_point()) t = t.to(torch::kHalf);
    archive.write("state." + name, t);
  }
}

namespace {
// A temporary path beside `target`, unique to this process and call, so concurrent saves never collide.
std::filesystem::path temporaryBeside(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  return (target.has_parent_path() ? target.parent_path() : std::filesystem::path(".")) /
         (".protolabel-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
          target.filename().string());
}

// Writes through `write(temp)` and renames the result over `path`; the temporary never outlives a failure.
void replaceAtomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::filesystem::path temp = temporaryBeside(path);
  try {
    write(temp.string());
    std::filesystem::rename(temp, path);
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw EngineError(EngineError::Code::ModelFile, "cannot write " + path + ": " + e.what());
  }
}
}  // namespace

void saveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  replaceAtomically(path, [&](const std::string& temp) { archive.save_to(temp); });
}

void Model::save(const std::string& path, bool halfPrecision) const {
  torch::serialize::OutputArchive archive;
  writeModelArchive(*this, archive, halfPrecision);
  saveArchiveAtomically(archive, path);
}

namespace {
// LibTorch's zip reader over bytes already in memory.
class BytesAdapter final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BytesAdapter(const std::vector<char>& bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* = "") const override {
    if (pos >= bytes_.size()) return 0;
    n = std::min<size_t>(n, bytes_.size() - size_t(pos));
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

 private:
  const std::vector<char>& bytes_;
};
}  // namespace

static std::unique_ptr<Model::Impl> readModelFile(const std::string& path, bool loadState, Device device) {
  if (!std::filesystem::is_regular_file(path)) throw fileError(path, "no such file");
  // Read once: checked here, then handed to LibTorch from memory.
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const std::string why = whyNotATorchArchive(bytes); !why.empty())
    throw fileError(path, "it is not a LibTorch archive: " + why);
  try {
    caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BytesAdapter>(bytes));
    for (const std::string& record : reader.getAllRecords()) {
      if (record.rfind("code/", 0) != 0 || record.size() < 3 || record.compare(record.size() - 3, 3, ".py") != 0) continue;
      const auto [data, size] = reader.getRecord(record);
      const std::string why = whyNotModuleSource(std::string(static_cast<const char*>(data.get()), size));
      if (!why.empty()) throw fileError(path, "it is not a ProtoLabel model: " + why);
    }
  } catch (const c10::Error&) {
    throw fileError(path, "it is not a LibTorch archive (damaged, truncated or another kind of file)");
  }
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes.data(), bytes.size());
  } catch (const std::exception&) {
    throw fileError(path, "it is not a LibTorch archive (damaged, truncated or another kind of file)");
  }
  if (readString(archive, "meta.format") != kFormatVersion)
    throw fileError(path, "its format is '" + readString(archive, "meta.format", "none") + "', expected " + kFormatVersion);
  auto impl = std::make_unique<Model::Impl>();
  try {
    // Files written before the baseline existed have no meta.method: they are CoW models.
    impl->config = nn::CowConfig::byName(readString(archive, "meta.preset"), readString(archive, "meta.method", "cow"));
  } catch (const std::invalid_argument& e) {
    throw fileError(path, e.what());
  }
  if (readInt(archive, "meta.input_size") != impl->config.inputSize)
    throw fileError(path, "its input size does not match its preset");
  impl->training = readString(archive, "meta.training");
  impl->loadedAsHalf = readInt(archive, "meta.half_precision") != 0;
  // Files written before the preprocessing was recorded used these defaults.
  impl->preprocessing.ctWindowLow = readDouble(archive, "meta.preprocess.ct_window_low", impl->preprocessing.ctWindowLow);
  impl->preprocessing.ctWindowHigh = readDouble(archive, "meta.preprocess.ct_window_high", impl->preprocessing.ctWindowHigh);
  impl->preprocessing.orientation = readString(archive, "meta.preprocess.orientation", impl->preprocessing.orientation);
  if (!(impl->preprocessing.ctWindowHigh > impl->preprocessing.ctWindowLow))
    throw fileError(path, "its CT window is empty");
  if (impl->preprocessing.orientation != "LAS" && impl->preprocessing.orientation != "stored")
    throw fileError(path, "its input orientation '" + impl->preprocessing.orientation + "' is unknown");
  impl->net = nn::CowNet(impl->config);
  if (loadState) {
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : nn::stateDictEntries(*impl->net)) {
      torch::Tensor stored;
      try {
        archive.read("state." + name, stored);
      } catch (const std::exception&) {
        throw fileError(path, "it lacks the tensor " + name);
      }
      if (stored.sizes() != tensor.sizes()) throw fileError(path, "the tensor " + name + " has the wrong shape");
      tensor.copy_(stored.to(tensor.dtype()));
    }
    impl->device = resolveDevice(device);
    impl->net->to(impl->device);
  }
  return impl;
}

std::shared_ptr<Model> Model::load(const std::string& path, Device device) {
  return std::shared_ptr<Model>(new Model(readModelFile(path, true, device)));
}

ModelInfo Model::inspect(const std::string& path) {
  // Reading the weights is cheap next to constructing the network; keep one code path.
  Model model(readModelFile(path, false, Device::Cpu));
  return model.info();
}

int64_t Model::importStateDict(const std::string& pthPath) {
  std::ifstream in(pthPath, std::ios::binary);
  if (!in) throw fileError(pthPath, "cannot open it");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const std::string why = whyNotATorchArchive(bytes); !why.empty())
    throw fileError(pthPath, "not a torch.save file: " + why);
  c10::IValue root;
  try {
    root = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw fileError(pthPath, std::string("not a torch.save file (") + e.what() + ")");
  }
  if (!root.isGenericDict()) throw fileError(pthPath, "it does not hold a state_dict");
  c10::Dict<c10::IValue, c10::IValue> dict = root.toGenericDict();
  for (const char* wrapper : {"state_dict", "model"})
    if (dict.contains(c10::IValue(std::string(wrapper))) && dict.at(c10::IValue(std::string(wrapper))).isGenericDict())
      dict = dict.at(c10::IValue(std::string(wrapper))).toGenericDict();
  std::map<std::string, torch::Tensor> byName;
  for (const auto& entry : dict) {
    if (!entry.key().isString() || !entry.value().isTensor()) continue;
    std::string name = entry.key().toStringRef();
    if (name.rfind("module.", 0) == 0) name = name.substr(7);  // saved from DataParallel
    byName[name] = entry.value().toTensor();
  }
  int64_t loaded = 0;
  torch::NoGradGuard noGrad;
  for (auto& [name, tensor] : nn::stateDictEntries(*impl_->net)) {
    auto it = byName.find(name);
    if (it == byName.end()) continue;
    if (it->second.sizes() != tensor.sizes()) throw fileError(pthPath, "the tensor " + name + " has the wrong shape");
    tensor.copy_(it->second.to(tensor.dtype()));
    ++loaded;
  }
  return loaded;
}

int64_t Model::copyMatchingWeights(const Model& other) {
  std::map<std::string, torch::Tensor> from;
  for (const auto& [name, tensor] : nn::stateDictEntries(*other.impl_->net)) from[name] = tensor;
  int64_t copied = 0;
  torch::NoGradGuard noGrad;
  for (auto& [name, tensor] : nn::stateDictEntries(*impl_->net)) {
    const auto it = from.find(name);
    if (it == from.end() || it->second.sizes() != tensor.sizes()) continue;
    tensor.copy_(it->second);
    ++copied;
  }
  return copied;
}

void Model::exportStateDict(const std::string& pthPath) const {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, tensor] : nn::stateDictEntries(*impl_->net)) dict.insert(name, tensor.detach().cpu());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  replaceAtomically(pthPath, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("the disk refused the data");
  });
}

}  // namespace protolabel::inference
