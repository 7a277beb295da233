#pragma once
// Work on a thread of its own whose results reach the GUI thread. The worker never touches a QObject:
// it posts calls into a mutex-guarded queue that a timer in the GUI thread runs, and the thread is
// joined before the calls it posted last are run. Every handoff is a pthread mutex, create or join,
// which ThreadSanitizer sees by construction. QtConcurrent with QFutureWatcher and queued signals hand
// over through Qt's own locks, which it does not see (Qt is not built with it): there it could only
// see an order where the objects passed happen to carry one (a shared_ptr's count), and whether a
// race showed would change with how the result is passed.
#include <QTimer>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace protolabel::ui {

class BackgroundWork {
 public:
  BackgroundWork();
  ~BackgroundWork();  // waits for the worker; calls it posted that were not run yet are dropped
  BackgroundWork(const BackgroundWork&) = delete;
  BackgroundWork& operator=(const BackgroundWork&) = delete;

  // GUI thread: runs `work` on a new thread. Throws std::logic_error while the previous work runs.
  // `work` must catch what it throws (an exception leaving a std::thread ends the program).
  void start(std::function<void()> work);
  // Any thread (the worker): `call` runs in the GUI thread, calls in the order they were posted.
  void post(std::function<void()> call);
  // GUI thread: started and not every call of its work run yet (false again while the last ones run,
  // so that they may start the next work).
  bool running() const { return active_; }
  // GUI thread: blocks until the worker ends; what it posted still runs from the event loop.
  void wait();
  // GUI thread: blocks until the worker ends and runs what it posted now (tests, quitting).
  void finish();

 private:
  void deliver();

  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::function<void()>> calls_;  // guarded by mutex_
  bool workEnded_ = false;                    // guarded by mutex_
  bool active_ = false;
  QTimer timer_;
};

// A BackgroundWork whose work returns one result, handed to `finished` in the GUI thread.
template <class Result>
class BackgroundTask {
 public:
  explicit BackgroundTask(std::function<void(Result)> finished) : finished_(std::move(finished)) {}

  void start(std::function<Result()> work) {
    work_.start([this, work = std::move(work)] {
      auto result = std::make_shared<Result>(work());
      work_.post([this, result] { finished_(std::move(*result)); });
    });
  }
  void post(std::function<void()> call) { work_.post(std::move(call)); }
  bool running() const { return work_.running(); }
  void wait() { work_.wait(); }
  void finish() { work_.finish(); }

 private:
  std::function<void(Result)> finished_;
  BackgroundWork work_;  // last: destroyed (joined) before finished_
};

}  // namespace protolabel::ui
