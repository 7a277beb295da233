#include "protolabel/inference/Parity.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "../nn/CowNet.h"
#include "../nn/Episode.h"
#include "../nn/Losses.h"
#include "../ModelImpl.h"
#include "WeightFill.h"

namespace protolabel::inference {

using namespace protolabel::inference::nn;

bool ParityReport::passed() const { return failures() == 0 && !checks.empty(); }

int ParityReport::failures() const {
  return int(std::count_if(checks.begin(), checks.end(), [](const ParityCheck& c) { return !c.passed(); }));
}

namespace {

using Vectors = std::map<std::string, torch::Tensor>;

Vectors loadVectors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto dict = torch::pickle_load(bytes).toGenericDict();
  Vectors v;
  for (const auto& entry : dict) v[entry.key().toStringRef()] = entry.value().toTensor();
  return v;
}

class Comparer {
 public:
  explicit Comparer(const Vectors& v) : v_(v) {}
  const torch::Tensor& ref(const std::string& key) const {
    auto it = v_.find(key);
    if (it == v_.end()) throw std::runtime_error("the vectors lack " + key);
    return it->second;
  }
  void relative(const std::string& key, const torch::Tensor& got, double tolerance = 1e-4) {
    const torch::Tensor r = ref(key).to(torch::kFloat64), g = got.detach().cpu().to(torch::kFloat64).reshape(r.sizes());
    const double scale = std::max(r.abs().max().item<double>(), 1e-30);
    add(key, "rel", (g - r).abs().max().item<double>() / scale, tolerance);
  }
  void absolute(const std::string& key, const torch::Tensor& got, double tolerance) {
    const torch::Tensor r = ref(key).to(torch::kFloat64), g = got.detach().cpu().to(torch::kFloat64).reshape(r.sizes());
    add(key, "abs", (g - r).abs().max().item<double>(), tolerance);
  }
  void exact(const std::string& key, const torch::Tensor& got) {
    const torch::Tensor r = ref(key).to(torch::kInt64), g = got.detach().cpu().to(torch::kInt64).reshape(r.sizes());
    add(key, "exact", double(r.ne(g).sum().item<int64_t>()), 0);
  }
  void add(const std::string& key, const std::string& metric, double error, double tolerance) {
    report.checks.push_back({key, metric, error, tolerance});
  }
  ParityReport report;

 private:
  const Vectors& v_;
};

std::vector<std::string> manifestNames(const torch::Tensor& utf8) {
  const torch::Tensor bytes = utf8.to(torch::kUInt8).contiguous();
  const std::string text(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), size_t(bytes.numel()));
  std::vector<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

void fillWeights(CowNet& net, const Vectors& v, Comparer& cmp) {
  const auto entries = stateDictEntries(*net);
  const auto names = manifestNames(cmp.ref("wfill.names_utf8"));
  if (entries.size() != names.size())
    throw std::runtime_error("the paper preset has " + std::to_string(entries.size()) + " state entries, the reference " +
                             std::to_string(names.size()));
  const torch::Tensor kinds = cmp.ref("wfill.kind").to(torch::kInt64);
  const torch::Tensor fanIn = cmp.ref("wfill.fan_in").to(torch::kFloat64);
  const torch::Tensor bitsums = cmp.ref("wfill.bitsum").to(torch::kInt64);
  const double phi = cmp.ref("cfg.weight_phase").item<double>();
  int64_t bitMismatches = 0;
  torch::NoGradGuard noGrad;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    auto& [name, tensor] = entries[k];
    if (name != names[k])
      throw std::runtime_error("state entry " + std::to_string(k) + " is " + name + ", the reference's " + names[k]);
    const auto kind = static_cast<parity::WeightKind>(kinds[int64_t(k)].item<int64_t>());
    if (kind == parity::WeightKind::Untouched) continue;
    const torch::Tensor value = parity::parityWeight(int64_t(k), kind, tensor.sizes().vec(), fanIn[int64_t(k)].item<double>(), phi);
    tensor.copy_(value);
    bitMismatches += parity::bitSum(tensor) != bitsums[int64_t(k)].item<int64_t>();
  }
  cmp.add("wfill.bitsum", "exact", double(bitMismatches), 0);
  (void)v;
}

RecordedDraws recordedDraws(const Vectors& v, int64_t first, int64_t last) {
  const torch::Tensor meta = v.at("draw.meta").to(torch::kInt64);
  RecordedDraws draws;
  for (int64_t nn = first; nn < last && nn < meta.size(0); ++nn) {
    char prefix[32];  // room for any 64-bit index
    std::snprintf(prefix, sizeof prefix, "draw.%02lld.", static_cast<long long>(nn));
    for (const auto& [key, tensor] : v)
      if (key.rfind(prefix, 0) == 0 && !(key.size() > 4 && key.compare(key.size() - 4, 4, ".pix") == 0))
        draws.push(meta[nn][4].item<int64_t>(), tensor);
  }
  return draws;
}

}  // namespace

ParityReport runParity(const std::string& vectorsPath, Device device) {
  const Vectors v = loadVectors(vectorsPath);
  Comparer cmp(v);
  torch::NoGradGuard noGrad;
  CowNet net(CowConfig::paper());
  fillWeights(net, v, cmp);
  const torch::Device where = resolveDevice(device);
  net->to(where);
  net->eval();
  // Recorded tensors, on the device the network runs on.
  auto in = [&](const std::string& key) { return cmp.ref(key).to(where); };

  const torch::Tensor suppImg = in("input.supp_img"), qryImg = in("input.qry_img");
  const torch::Tensor suppMask = in("input.supp_mask")[0];

  // Encoder on [support; query] as one batch.
  const EncoderOutput enc = net->encoder->forward(torch::cat({suppImg, qryImg}, 0));
  cmp.relative("enc.F_s", enc.features.slice(0, 0, 1));
  cmp.relative("enc.F_q", enc.features.slice(0, 1, 2));
  cmp.relative("enc.tao", enc.threshold);
  cmp.relative("enc.t", enc.threshold.slice(0, 1, 2));

  // Modules fed with the recorded upstream tensors.
  const torch::Tensor Fs = in("enc.F_s"), Fq = in("enc.F_q");
  const SupportPrediction ssp = net->selfPredict(Fs, suppMask);
  cmp.relative("supp.proto_map", ssp.prototype);
  cmp.relative("ssp.S", ssp.raw);
  cmp.relative("ssp.S_up", ssp.upsampled);
  cmp.exact("supp.pred_mask", ssp.mask);

  const int64_t inferenceDraws = cmp.ref("draw.n_infer").item<int64_t>();
  RecordedDraws supportDraws = recordedDraws(v, 0, inferenceDraws);
  const PrototypeSets sets = net->prototypes(Fs, suppMask, in("supp.pred_mask")[0], supportDraws);
  cmp.exact("supp.hard_fg", sets.hardFg);
  cmp.exact("supp.hard_bg", sets.hardBg);
  cmp.exact("supp.edge_inner", sets.edgeInner);
  cmp.exact("supp.edge_outer", sets.edgeOuter);
  cmp.relative("supp.mlp_fg_out", sets.mlpFg);
  cmp.relative("supp.mlp_bg_out", sets.mlpBg);
  cmp.relative("supp.P_fg", sets.fg);
  cmp.relative("supp.P_bg", sets.bg);

  PrototypeSets stored;
  stored.fg = in("supp.P_fg");
  stored.bg = in("supp.P_bg");
  const torch::Tensor mapsFg = CowNetImpl::cosineMaps(Fq, stored.fg), mapsBg = CowNetImpl::cosineMaps(Fq, stored.bg);
  cmp.relative("dec.A_fg_crop", mapsFg.slice(2, 0, 8).slice(3, 0, 8));
  cmp.relative("dec.A_bg_crop", mapsBg.slice(2, 0, 8).slice(3, 0, 8));
  cmp.relative("dec.A_fg_chsum", mapsFg.to(torch::kFloat64).sum({0, 2, 3}));
  cmp.relative("dec.A_bg_chsum", mapsBg.to(torch::kFloat64).sum({0, 2, 3}));
  const Segmentation seg = net->segment(Fq, stored);
  cmp.relative("dec.fg_out", seg.fgLogits);
  cmp.relative("dec.bg_out", seg.bgLogits);
  cmp.absolute("out.Y", seg.probabilities, 1e-3);
  cmp.exact("out.pred_mask", seg.probabilities.argmax(1));

  // End to end: every step on the port's own outputs (recorded draws injected).
  {
    RecordedDraws draws = recordedDraws(v, 0, inferenceDraws);
    const torch::Tensor fs = enc.features.slice(0, 0, 1), fq = enc.features.slice(0, 1, 2);
    const SupportPrediction p = net->selfPredict(fs, suppMask);
    const PrototypeSets s = net->prototypes(fs, suppMask, p.mask, draws);
    const Segmentation out = net->segment(fq, s);
    cmp.absolute("out.Y", out.probabilities, 1e-3);
    cmp.report.checks.back().key = "end_to_end.out.Y";
  }

  // Training path (alignment with the query's predicted mask), from recorded tensors.
  const torch::Tensor qMask = in("align.q_mask")[0];
  const SupportPrediction qsp = net->selfPredict(Fq, qMask);
  cmp.relative("align.proto_map_q", qsp.prototype);
  cmp.relative("align.S_q", qsp.raw);
  cmp.exact("align.q_selfpred_mask", qsp.mask);
  RecordedDraws queryDraws = recordedDraws(v, inferenceDraws, 1000);
  const PrototypeSets qsets = net->prototypes(Fq, qMask, in("align.q_selfpred_mask")[0], queryDraws);
  cmp.relative("align.P_fg_q", qsets.fg);
  cmp.relative("align.P_bg_q", qsets.bg);
  PrototypeSets storedQ;
  storedQ.fg = in("align.P_fg_q");
  storedQ.bg = in("align.P_bg_q");
  const Segmentation back = net->segment(Fs, storedQ);
  cmp.relative("align.dec_fg_out_s", back.fgLogits);
  cmp.relative("align.dec_bg_out_s", back.bgLogits);
  cmp.absolute("align.Y_s", back.probabilities, 1e-3);

  // Losses from recorded tensors, on the CPU.
  const torch::Tensor suppTarget = cmp.ref("input.supp_mask").to(torch::kInt64);
  const torch::Tensor qryTarget = cmp.ref("input.qry_label");
  auto scalarRel = [&](const std::string& key, const torch::Tensor& value, double tol) {
    const double r = cmp.ref(key).item<double>(), g = value.item<double>();
    cmp.add(key, "rel", std::abs(g - r) / std::max(std::abs(r), 1e-30), tol);
  };
  auto scalarAbs = [&](const std::string& key, const torch::Tensor& value, double tol) {
    cmp.add(key, "abs", std::abs(value.item<double>() - cmp.ref(key).item<double>()), tol);
  };
  const torch::Tensor lossAlign = clampedNll(cmp.ref("align.Y_s"), suppTarget);
  const torch::Tensor lossAux = prototypeConsistencyLoss(cmp.ref("supp.P_fg"), cmp.ref("supp.P_bg"),
                                                         cmp.ref("align.P_fg_q"), cmp.ref("align.P_bg_q"));
  const torch::Tensor lossSsp = selfPredictionLoss(cmp.ref("ssp.S_up"), suppTarget);
  const torch::Tensor lossQuery = querySegmentationLoss(cmp.ref("out.Y"), qryTarget);
  const torch::Tensor lossBoundary = boundaryLoss(cmp.ref("out.Y"), qryTarget);
  scalarRel("loss.align", lossAlign, 1e-4);
  scalarRel("loss.aux", lossAux, 1e-4);
  scalarRel("loss.ssp", lossSsp, 1e-4);
  scalarRel("loss.query", lossQuery, 1e-4);
  scalarAbs("loss.boundary", lossBoundary, 1e-4);
  scalarRel("loss.total", lossQuery + lossAlign + 0.3 * lossAux + 0.5 * lossBoundary + 0.3 * lossSsp, 1e-4);
  // The whole training episode from the images, with all recorded draws in order.
  {
    RecordedDraws draws = recordedDraws(v, 0, 1000);
    const EpisodeLosses episode = episodeLosses(net, suppImg, suppMask, qryImg, in("input.qry_label")[0], draws);
    for (const auto& [key, value] : {std::pair<const char*, torch::Tensor>{"loss.query", episode.query},
                                     {"loss.align", episode.align}, {"loss.aux", episode.aux},
                                     {"loss.ssp", episode.ssp}, {"loss.total", episode.total}}) {
      scalarRel(key, value.cpu(), 1e-4);
      cmp.report.checks.back().key = std::string("episode.") + key;
    }
    scalarAbs("loss.boundary", episode.boundary.cpu(), 1e-4);
    cmp.report.checks.back().key = "episode.loss.boundary";
  }
  scalarAbs("bl.loss_a", boundaryLoss(cmp.ref("bl.pred_a"), cmp.ref("bl.gt")), 1e-4);
  scalarAbs("bl.loss_b", boundaryLoss(cmp.ref("bl.pred_b"), cmp.ref("bl.gt")), 1e-4);
  scalarAbs("bl.wnll_a", querySegmentationLoss(cmp.ref("bl.pred_a"), cmp.ref("bl.gt")), 1e-4);
  return cmp.report;
}

}  // namespace protolabel::inference
