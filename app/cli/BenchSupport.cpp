#include "BenchSupport.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace protolabel::app {

double medianSeconds(int repeats, const std::function<void()>& work, const std::function<void()>& prepare) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    prepare();
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace protolabel::app
