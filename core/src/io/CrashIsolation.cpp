#include "CrashIsolation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "DicomScanWork.h"
#include "ItkBridge.h"
#include "protolabel/core/Error.h"

extern char** environ;

namespace fs = std::filesystem;

namespace protolabel::core {

namespace {

constexpr const char* kHelperName = "protolabel-dicom-scan";

const char* taskName(HelperTask task) {
  switch (task) {
    case HelperTask::ScanSeries: return "scan";
    case HelperTask::ProbeImage: return "probe";
    case HelperTask::CanRead: return "can-read";
  }
  return "scan";
}

// The helper beside the running program: installed in the private library folder, or in the build
// tree next to it (or where PROTOLABEL_DICOM_HELPER says).
std::string helperPath() {
  if (const char* env = std::getenv("PROTOLABEL_DICOM_HELPER")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / ".." / "lib" / "protolabel" / kHelperName);
    candidates.push_back(exe.parent_path() / kHelperName);
  }
#ifdef PROTOLABEL_DICOM_HELPER_BUILD_PATH
  candidates.push_back(PROTOLABEL_DICOM_HELPER_BUILD_PATH);
#endif
  for (const fs::path& p : candidates)
    if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
  throw Error(ErrorCode::FileNotFound,
              std::string("The DICOM reader's helper program (") + kHelperName + ") is missing; reinstall ProtoLabel.");
}

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

// GDCM allocates and zeroes whatever length a damaged element declares (a 13-byte file took 4.2 GB
// and 14 s to refuse), in places DicomLengthCheck cannot foresee (files without a Part 10 preamble,
// elements whose broken VR GDCM rereads as implicit). The helper's address space is bounded instead:
// what it has mapped at start, plus twice the largest file (GDCM holds a whole file while checking
// it), plus 1 GiB; an allocation beyond fails at once and the file is refused. Sanitizer builds map
// terabytes of shadow memory and bound single allocations instead (core/tools/dicom_scan_helper.cpp).
uint64_t largestFileSize(const std::vector<std::string>& files) {
  uint64_t largest = 0;
  for (const std::string& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (!ec) largest = std::max<uint64_t>(largest, size);
  }
  return largest;
}

void boundHelperMemory(uint64_t largest) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  uint64_t mappedPages = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%lu", &mappedPages) != 1) mappedPages = 0;
    std::fclose(statm);
  }
  if (mappedPages == 0) return;  // no /proc: leave the helper unbounded rather than guess
  const uint64_t limit = mappedPages * uint64_t(::sysconf(_SC_PAGESIZE)) + 2 * largest + (uint64_t{1} << 30);
  rlimit bound{};
  bound.rlim_cur = bound.rlim_max = rlim_t(limit);
  ::setrlimit(RLIMIT_AS, &bound);
#else
  (void)largest;
#endif
}

uint64_t peakResidentBytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return uint64_t(usage.ru_maxrss) * 1024;
}

// GDCM catches its own failed allocations and carries on with what it read, so a file whose damaged
// element declares hundreds of megabytes (below the address-space bound) still scans, and the
// program's own read of its voxels would then allocate as much. The helper reads each file the same
// way first: one that took more than twice the largest file + 256 MiB is refused here.
void refuseFilesThatTookTooMuchMemory(uint64_t largest, uint64_t residentBefore) {
  const uint64_t peak = peakResidentBytes();
  const uint64_t grown = peak > residentBefore ? peak - residentBefore : 0;
  if (grown > 2 * largest + (uint64_t{256} << 20)) throw std::bad_alloc();
}

}  // namespace

IsolatedOutcome runIsolated(HelperTask task, const std::vector<std::string>& files, int timeoutSeconds) {
  const std::string helper = helperPath();
  int input[2], output[2];
  if (::pipe2(input, O_CLOEXEC) != 0) throw Error(ErrorCode::CorruptFile, "Cannot create a pipe to inspect the file safely.");
  if (::pipe2(output, O_CLOEXEC) != 0) {
    ::close(input[0]);
    ::close(input[1]);
    throw Error(ErrorCode::CorruptFile, "Cannot create a pipe to inspect the file safely.");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
  // The library's assertion text on a damaged file is expected: not on the user's terminal.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string name = kHelperName, mode = taskName(task);
  char* argv[] = {name.data(), mode.data(), nullptr};
  pid_t child = -1;
  const int spawned = ::posix_spawn(&child, helper.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(input[0]);
  ::close(output[1]);
  if (spawned != 0) {
    ::close(input[1]);
    ::close(output[0]);
    throw Error(ErrorCode::CorruptFile, "Cannot start " + helper + " to inspect the file safely: " + std::strerror(spawned));
  }

  // The file list, NUL-separated; a helper that dies early must not kill us with SIGPIPE.
  std::string list;
  for (const std::string& f : files) list += f + '\0';
  struct sigaction ignore {}, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  writeAll(input[1], list);
  ::close(input[1]);
  ::sigaction(SIGPIPE, &previous, nullptr);

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
    pollfd p{output[0], POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) continue;
    const ssize_t n = ::read(output[0], buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, std::size_t(n));
  }
  ::close(output[0]);
  if (timedOut) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  IsolatedOutcome outcome{IsolatedOutcome::Status::Crashed, {}, -1};
  if (timedOut || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.empty()) return outcome;
  const auto newline = received.find('\n');
  if (newline == std::string::npos) return outcome;
  outcome.errorCode = std::atoi(received.c_str() + 1);
  outcome.output = received.substr(newline + 1);
  outcome.status = received[0] == 'S' ? IsolatedOutcome::Status::Succeeded : IsolatedOutcome::Status::Failed;
  return outcome;
}

int runDicomHelper(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::string list((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::vector<std::string> files;
  for (std::size_t start = 0, end; (end = list.find('\0', start)) != std::string::npos; start = end + 1)
    files.push_back(list.substr(start, end - start));
  // The first byte says how the work ended, then the error code, a newline and the payload.
  std::string message;
  char status = 'S';
  int code = -1;
  try {
    const uint64_t largest = largestFileSize(files);
    boundHelperMemory(largest);
    ensureItkIoFactories();
    const uint64_t residentBefore = peakResidentBytes();
    if (mode == "scan") message = serializeSeries(scanFilesUnsafe(files));
    else if (mode == "probe" && files.size() == 1) message = probeImageUnsafe(files.front());
    else if (mode == "can-read" && files.size() == 1) message = canReadUnsafe(files.front());
    else throw std::invalid_argument("usage: protolabel-dicom-scan scan|probe|can-read < files");
    refuseFilesThatTookTooMuchMemory(largest, residentBefore);
  } catch (const Error& e) {
    status = 'E';
    code = int(e.code());
    message = e.what();
  } catch (const std::bad_alloc&) {
    status = 'E';
    code = int(ErrorCode::CorruptFile);
    message = (files.size() == 1 ? files.front() : std::string("A DICOM file")) +
              " is damaged: it declares more data than it holds.";
  } catch (const std::exception& e) {
    status = 'X';
    message = e.what();
  } catch (...) {
    status = 'X';
    message = "unknown failure";
  }
  std::cout << status << code << "\n" << message;
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace protolabel::core
