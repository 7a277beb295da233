#pragma once
// Headless subcommands. Each returns the process exit status and never needs a display.
#include <string>
#include <vector>

namespace protolabel::app {

using Args = std::vector<std::string>;

int runInfo(const Args& args);
int runConvert(const Args& args);
int runBench(const Args& args);
int runBenchEngine(const Args& args);
int runBenchGui(const Args& args);
int runBenchPipeline(const Args& args);  // needs a QApplication (offscreen is fine)
int runParity(const Args& args);
int runSegment(const Args& args);
int runTrain(const Args& args);
int runEvaluate(const Args& args);
int runFinetune(const Args& args);
int runDemo(const Args& args);
int runStats(const Args& args);

class CommandLine;
}  // namespace protolabel::app

namespace protolabel::inference {
class Model;
}

#include <memory>

namespace protolabel::app {
// --model FILE, --untrained PRESET or the bundled model, on --device.
std::shared_ptr<inference::Model> loadModelFromArgs(const CommandLine& cl);

}  // namespace protolabel::app
