#include "protolabel/ui/BackgroundWork.h"

#include <stdexcept>

namespace protolabel::ui {

namespace {
// Often enough that progress and results look immediate, seldom enough to cost nothing when idle
// (the timer only runs while work is active).
constexpr int kPollMilliseconds = 15;
}  // namespace

BackgroundWork::BackgroundWork() {
  timer_.setInterval(kPollMilliseconds);
  QObject::connect(&timer_, &QTimer::timeout, [this] { deliver(); });
}

BackgroundWork::~BackgroundWork() { wait(); }

void BackgroundWork::start(std::function<void()> work) {
  if (active_) throw std::logic_error("BackgroundWork::start while the previous work runs");
  wait();  // a worker that ended but was not joined yet
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    workEnded_ = false;
  }
  active_ = true;
  thread_ = std::thread([this, work = std::move(work)] {
    work();
    const std::lock_guard<std::mutex> lock(mutex_);
    workEnded_ = true;
  });
  timer_.start();
}

void BackgroundWork::post(std::function<void()> call) {
  const std::lock_guard<std::mutex> lock(mutex_);
  calls_.push_back(std::move(call));
}

void BackgroundWork::wait() {
  if (thread_.joinable()) thread_.join();
}

void BackgroundWork::finish() {
  wait();
  deliver();
}

void BackgroundWork::deliver() {
  std::vector<std::function<void()>> calls;
  bool ended = false;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    calls.swap(calls_);
    ended = workEnded_;
  }
  if (ended && active_) {
    // Everything the worker posted is in `calls`: it is idle before they run, so they may start again.
    wait();
    active_ = false;
    timer_.stop();
  }
  for (auto& call : calls) call();
}

}  // namespace protolabel::ui
