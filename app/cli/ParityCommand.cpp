// protolabel parity VECTORS.pt [--device cpu|cuda] [--json]
// Compares the paper preset with the authors' reference on recorded parity vectors; exit status 0 only
// when every recorded tensor is within its tolerance.
#include <iomanip>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "JsonOutput.h"
#include "protolabel/inference/Parity.h"

namespace protolabel::app {

int runParity(const Args& args) {
  const CommandLine cl(args, {"json"}, {"device"});
  if (cl.positional().size() != 1) throw UsageError("parity takes the path of a parity vectors file");
  const inference::ParityReport report =
      inference::runParity(cl.positional()[0], inference::parseDevice(cl.option("device", "cpu")));
  if (cl.flag("json")) {
    QJsonArray checks;
    for (const auto& c : report.checks)
      checks.append(QJsonObject{{"key", QString::fromStdString(c.key)}, {"metric", QString::fromStdString(c.metric)},
                                {"error", c.error}, {"tolerance", c.tolerance}, {"passed", c.passed()}});
    printJson(QJsonObject{{"passed", report.passed()}, {"failures", report.failures()}, {"checks", checks}});
  } else {
    for (const auto& c : report.checks)
      std::cout << (c.passed() ? "ok   " : "FAIL ") << std::left << std::setw(28) << c.key << std::setw(6) << c.metric
                << std::scientific << std::setprecision(2) << c.error << " (tolerance " << c.tolerance << ")\n";
    std::cout << report.checks.size() - report.failures() << " passed, " << report.failures() << " failed\n";
  }
  return report.passed() ? 0 : 1;
}

}  // namespace protolabel::app
