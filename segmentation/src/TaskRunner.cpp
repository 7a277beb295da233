#include "TaskRunner.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "protolabel/inference/Runtime.h"

namespace protolabel::segmentation {

bool runTasks(const std::vector<std::function<bool()>>& tasks, int workers, bool singleThreadedOps) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false}, cancelled{false};
  std::mutex errorMutex;
  std::exception_ptr error;
  const auto work = [&] {
    std::optional<inference::SingleThreadedOps> single;
    if (singleThreadedOps) single.emplace();
    for (std::size_t i = next++; i < tasks.size() && !stop; i = next++) {
      try {
        if (!tasks[i]()) cancelled = stop = true;
      } catch (...) {
        const std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
    }
  };
  const int helpers = std::clamp(workers, 1, int(std::max<std::size_t>(1, tasks.size()))) - 1;
  std::vector<std::thread> threads;
  for (int i = 0; i < helpers; ++i) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running do the work
    }
  }
  work();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  return !cancelled;
}

}  // namespace protolabel::segmentation
