#pragma once
// Headless subcommands. Each returns the process exit status and never needs a display.
#include <string>
#include <vector>

namespace protolabel::app {

using Args = std::vector<std::string>;

int runInfo(const Args& args);
int runConvert(const Args& args);
int runBench(const Args& args);
int runParity(const Args& args);

}  // namespace protolabel::app
