#pragma once
#include <functional>

namespace protolabel::app {

// Median wall time of `repeats` runs of `work`, each preceded (untimed) by `prepare`.
double medianSeconds(int repeats, const std::function<void()>& work, const std::function<void()>& prepare = [] {});

}  // namespace protolabel::app
