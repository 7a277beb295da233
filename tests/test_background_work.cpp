// The viewer's way of running work off the GUI thread (ui/BackgroundWork.h): what the worker posts
// runs in the GUI thread in order, the result last; the last calls may start the next work; finish()
// delivers at once; destroying it waits for the worker and drops what was not delivered; a second
// start while one runs is refused. Under the tsan preset these are the handoffs TSan checks.
#include <QCoreApplication>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "protolabel/ui/BackgroundWork.h"

using protolabel::ui::BackgroundTask;

class BackgroundWorkTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void postedCallsRunInTheGuiThreadInOrderAndTheResultLast() {
    std::vector<int> seen;
    bool allInGuiThread = true;
    const auto note = [&](int value) {
      allInGuiThread = allInGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
      seen.push_back(value);
    };
    BackgroundTask<int> task([&](int result) { note(result); });
    task.start([&] {
      for (int i = 0; i < 100; ++i) task.post([&, i] { note(i); });
      return 1000;
    });
    QVERIFY(task.running());
    QTRY_VERIFY_WITH_TIMEOUT(!task.running(), 10000);
    QCOMPARE(int(seen.size()), 101);
    for (int i = 0; i <= 100; ++i) QCOMPARE(seen[std::size_t(i)], i < 100 ? i : 1000);
    QVERIFY(allInGuiThread);
  }

  void theResultMayStartTheNextWork() {
    std::vector<int> results;
    BackgroundTask<int>* self = nullptr;
    BackgroundTask<int> task([&](int result) {
      results.push_back(result);
      QVERIFY(!self->running());  // idle while its result is handed out
      if (result < 3) self->start([result] { return result + 1; });
    });
    self = &task;
    task.start([] { return 1; });
    QTRY_COMPARE_WITH_TIMEOUT(int(results.size()), 3, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!task.running(), 10000);
    QCOMPARE(results, (std::vector<int>{1, 2, 3}));
  }

  void finishDeliversAtOnceWithoutTheEventLoop() {
    int progress = 0, result = 0;
    BackgroundTask<int> task([&](int r) { result = r; });
    task.start([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      task.post([&] { ++progress; });
      return 7;
    });
    task.finish();
    QCOMPARE(progress, 1);
    QCOMPARE(result, 7);
    QVERIFY(!task.running());
  }

  void destroyingWaitsForTheWorkerAndDropsWhatWasNotDelivered() {
    std::atomic<bool> workEnded{false};
    bool delivered = false;
    {
      BackgroundTask<int> task([&](int) { delivered = true; });
      task.start([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        workEnded = true;
        return 1;
      });
    }
    QVERIFY(workEnded);  // joined, not abandoned
    QTest::qWait(100);
    QVERIFY(!delivered);
  }

  void aSecondStartWhileOneRunsIsRefused() {
    std::atomic<bool> release{false};
    BackgroundTask<int> task([](int) {});
    task.start([&] {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return 0;
    });
    bool refused = false;
    try {
      task.start([] { return 1; });
    } catch (const std::logic_error&) {
      refused = true;
    }
    release = true;
    QVERIFY(refused);
    task.finish();
    QVERIFY(!task.running());
  }
};

QTEST_GUILESS_MAIN(BackgroundWorkTest)
#include "test_background_work.moc"
