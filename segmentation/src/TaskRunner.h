#pragma once
// Runs independent pieces of work side by side on CPU worker threads (the caller's among them).
#include <functional>
#include <vector>

namespace protolabel::segmentation {

// Runs every task once on `workers` threads, taking them in order. Each CPU worker runs LibTorch's
// operations on its own thread alone (`singleThreadedOps`): on slice-sized tensors that beats
// splitting each operation across threads. A task returning false cancels: the tasks not yet
// started are skipped and runTasks returns false. The first exception a task throws is rethrown
// once every worker has stopped (the others stop at their next task).
bool runTasks(const std::vector<std::function<bool()>>& tasks, int workers, bool singleThreadedOps);

}  // namespace protolabel::segmentation
