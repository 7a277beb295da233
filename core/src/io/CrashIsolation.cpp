#include "CrashIsolation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {

void writeAll(int fd, const std::string& data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= std::size_t(n);
  }
}

// Child side: the first byte says how `work` ended, then the payload follows.
[[noreturn]] void runChild(int fd, const std::function<std::string()>& work) {
  // A library abort here is an expected outcome: die quietly, without the parent's crash handlers
  // (Qt Test's, a crash reporter's) and without the library's assertion text on the user's terminal.
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
  const int devNull = ::open("/dev/null", O_WRONLY);
  if (devNull >= 0) ::dup2(devNull, STDERR_FILENO);
  std::string message;
  char status = 'S';
  int code = -1;
  try {
    message = work();
  } catch (const Error& e) {
    status = 'E';
    code = int(e.code());
    message = e.what();
  } catch (const std::exception& e) {
    status = 'X';
    message = e.what();
  } catch (...) {
    status = 'X';
    message = "unknown failure";
  }
  std::string frame(1, status);
  frame += std::to_string(code) + "\n" + message;
  writeAll(fd, frame);
  ::close(fd);
  ::_exit(0);  // no atexit handlers or static destructors of the parent's libraries
}

}  // namespace

IsolatedOutcome runIsolated(const std::function<std::string()>& work, int timeoutSeconds) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error(ErrorCode::CorruptFile, "Cannot create a pipe to inspect the file safely.");
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(ErrorCode::CorruptFile, "Cannot start a process to inspect the file safely.");
  }
  if (child == 0) {
    ::close(fds[0]);
    runChild(fds[1], work);
  }
  ::close(fds[1]);

  std::string received;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  bool timedOut = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) continue;
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, std::size_t(n));
  }
  ::close(fds[0]);
  if (timedOut) ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);

  IsolatedOutcome outcome{IsolatedOutcome::Status::Crashed, {}, -1};
  if (timedOut || !WIFEXITED(status) || received.empty()) return outcome;
  const auto newline = received.find('\n');
  if (newline == std::string::npos) return outcome;
  outcome.errorCode = std::atoi(received.c_str() + 1);
  outcome.output = received.substr(newline + 1);
  outcome.status = received[0] == 'S' ? IsolatedOutcome::Status::Succeeded : IsolatedOutcome::Status::Failed;
  return outcome;
}

}  // namespace protolabel::core
