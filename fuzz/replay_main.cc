// Standalone replay driver: our own main() around a fuzz target's
// LLVMFuzzerTestOneInput, so every target also builds with gcc (ASan+UBSan)
// and replays corpora without libFuzzer.
//
//   <target>_replay PATH...        replay files, and the files in directories
//   <target>_replay --trace FILE   print the input's ops (and a C++ snippet)
//
// Each input runs in a forked child, so one that aborts (a check failure, an
// ASan report, a leak: under ASan the child runs LeakSanitizer before it
// exits) is counted and the rest still run. Prints one line per failing
// input and `N inputs, N failed`. A path that cannot be read, a directory
// entry that is not a regular file, an empty file: a message naming it, no
// replay, and not a failure. Hidden entries (.gitkeep) are ignored. Exit status
// is 1 only when some input failed (a failure of the map), 2 on bad usage.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "swiss/config.h"

#ifdef SWISS_ASAN  // LeakSanitizer comes with ASan
#include <sanitizer/lsan_interface.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Tells the target it runs without libFuzzer: it may print the ops of an input
// a sanitizer stops (check/fuzz_target.h).
extern "C" {
int swisscheck_standalone_replay = 1;
}
extern "C" void SwissCheckPrintTrace(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

struct Tally {
  std::size_t inputs = 0, failed = 0, skipped = 0;
};

bool read_file(const std::string& path, std::vector<std::uint8_t>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "read error";
    return false;
  }
  return true;
}

// Runs one input in a child; returns a description of the failure, or "".
std::string run_isolated(const std::vector<std::uint8_t>& data) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {  // cannot fork: run in-process (a failure ends the replay)
    LLVMFuzzerTestOneInput(data.data(), data.size());
    return "";
  }
  if (pid == 0) {
    LLVMFuzzerTestOneInput(data.data(), data.size());
    std::fflush(stdout);
#ifdef SWISS_ASAN
    // _exit skips LeakSanitizer's check at exit: run it here, so an input
    // that leaks (an entry never destroyed, a block never freed) fails the
    // replay as it fails under libFuzzer. It ends the child when it finds one.
    __lsan_do_leak_check();
#endif
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

void replay_file(const std::string& path, Tally& t) {
  std::vector<std::uint8_t> data;
  std::string error;
  if (!read_file(path, data, error)) {
    std::cout << "skipped: cannot read " << path << ": " << error << '\n';
    ++t.skipped;
    return;
  }
  if (data.empty()) {
    std::cout << "skipped: empty file " << path << '\n';
    ++t.skipped;
    return;
  }
  ++t.inputs;
  const std::string failure = run_isolated(data);
  if (!failure.empty()) {
    ++t.failed;
    std::cout << "FAILED: " << path << " (" << failure << ")\n";
  }
}

void replay_path(const std::string& path, Tally& t) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    std::cout << "skipped: cannot open " << path << ": " << (ec ? ec.message() : "no such file or directory") << '\n';
    ++t.skipped;
    return;
  }
  if (fs::is_regular_file(st)) return replay_file(path, t);
  if (!fs::is_directory(st)) {
    std::cout << "skipped: not a regular file: " << path << '\n';
    ++t.skipped;
    return;
  }
  std::vector<fs::path> entries;
  fs::directory_iterator dir(path, ec);
  if (ec) {
    std::cout << "skipped: cannot read directory " << path << ": " << ec.message() << '\n';
    ++t.skipped;
    return;
  }
  for (const auto& e : dir) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());  // stable order, stable output
  for (const fs::path& p : entries) {
    if (p.filename().string().rfind('.', 0) == 0) continue;  // .gitkeep and friends
    std::error_code ec2;
    const fs::file_status est = fs::status(p, ec2);
    if (ec2 || !fs::is_regular_file(est)) {
      std::cout << "skipped: not a regular file: " << p.string() << '\n';
      ++t.skipped;
      continue;
    }
    replay_file(p.string(), t);
  }
}

int usage(const char* argv0) {
  std::cerr << "usage: " << argv0 << " PATH...          replay files and directories of inputs\n"
            << "       " << argv0 << " --trace FILE      print the ops of one input instead of running it\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(argv[0]);
  const std::string first = argv[1];
  if (first == "-h" || first == "--help") {
    usage(argv[0]);
    return 0;
  }
  if (first == "--trace") {
    if (argc != 3) return usage(argv[0]);
    std::vector<std::uint8_t> data;
    std::string error;
    if (!read_file(argv[2], data, error)) {
      std::cerr << "cannot read " << argv[2] << ": " << error << '\n';
      return 2;
    }
    SwissCheckPrintTrace(data.data(), data.size());
    return 0;
  }
  Tally t;
  for (int i = 1; i < argc; ++i) replay_path(argv[i], t);
  std::cout << t.inputs << " inputs, " << t.failed << " failed";
  if (t.skipped) std::cout << " (" << t.skipped << " paths skipped)";
  std::cout << '\n';
  return t.failed ? 1 : 0;
}
