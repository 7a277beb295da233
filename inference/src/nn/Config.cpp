#include "Config.h"

#include <stdexcept>

namespace protolabel::inference::nn {

CowConfig CowConfig::paper() { return CowConfig{}; }

CowConfig CowConfig::lite() {
  CowConfig c;
  c.preset = "lite";
  c.inputSize = 128;
  c.blocks = {2, 2, 3};
  c.baseWidth = 16;
  c.thresholdHead = false;
  c.featureChannels = 128;
  c.sspChannels = 64;
  c.mlpFg = 24;
  c.mlpBg = 64;
  c.hardFg = 12;
  c.hardBg = 16;
  c.keepFg = 12;
  c.keepBg = 48;
  c.quietOutputInit = true;
  return c;
}

CowConfig CowConfig::byName(const std::string& name) {
  if (name == "paper") return paper();
  if (name == "lite") return lite();
  throw std::invalid_argument("unknown model preset '" + name + "' (use paper or lite)");
}

CowConfig CowConfig::byName(const std::string& name, const std::string& method) {
  if (method != "cow" && method != "single-prototype")
    throw std::invalid_argument("unknown method '" + method + "' (use cow or single-prototype)");
  CowConfig c = byName(name);
  c.method = method;
  return c;
}

}  // namespace protolabel::inference::nn
