// Runs a program through check/'s interpreter (abort_on_failure = false, so a
// failed check is a thrown CheckFailure turned into a RunResult) in a forked
// child process. Why a child: under ASan a use-after-free or double free in
// the map ends the process, and a check_invariants() violation abort()s; in
// the child either is just a failed case, so RapidCheck can go on shrinking
// it. The child's stderr goes to a temporary file; for a crash the failure
// message quotes the sanitizer report from it.
//
// A case that runs past SWISS_PROPS_CASE_TIMEOUT seconds (default 60) is
// killed and fails as a hang. SWISS_PROPS_FORK=0 runs in-process instead
// (for a debugger).
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "check/interpreter.h"
#include "check/ops.h"

#include "swiss/config.h"

#ifdef SWISS_ASAN  // LeakSanitizer comes with ASan
#include <sanitizer/lsan_interface.h>
#endif

namespace swissprops {

struct Outcome {
  bool ok = true;
  bool crashed = false;  // the child died (sanitizer report, abort) instead of reporting
  std::string message;
};

// Seconds a forked case may run (SWISS_PROPS_CASE_TIMEOUT, default 60).
inline int case_timeout_seconds() {
  const char* v = std::getenv("SWISS_PROPS_CASE_TIMEOUT");
  const int t = v ? std::atoi(v) : 0;
  return t > 0 ? t : 60;
}

inline bool fork_enabled() {
  const char* v = std::getenv("SWISS_PROPS_FORK");
  return !(v && std::string(v) == "0");
}

// The lines of a sanitizer / abort report worth quoting: from the first
// "ERROR:" / "runtime error" / "swiss:" line, at most `max_lines`.
inline std::string quote_report(const std::string& text, std::size_t max_lines = 30) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("ERROR:") != std::string::npos || lines[i].find("runtime error") != std::string::npos ||
        lines[i].find("check_invariants") != std::string::npos || lines[i].find("swiss") == 0) {
      from = i;
      break;
    }
  std::string out;
  for (std::size_t i = from; i < lines.size() && i < from + max_lines; ++i) out += "    | " + lines[i] + "\n";
  return out;
}

template <class L>
Outcome run_in_process(const swisscheck::Program& p) {
  swisscheck::Options o;
  o.abort_on_failure = false;
  swisscheck::Interpreter<L> in(o);
  const swisscheck::RunResult r = in.run(p);
  if (r.ok && r.ops_run < p.ops.size())  // the interpreter stops quietly when its budget is spent
    return {false, false,
            "only " + std::to_string(r.ops_run) + " of the program's " + std::to_string(p.ops.size()) +
                " ops ran: the interpreter's budget (" + std::to_string(o.budget) +
                " element-steps) was spent, so the rest went untested (kCostLimit in model_state.h "
                "is too generous for this program)"};
  return {r.ok, false, r.message};
}

// Runs body (returning an Outcome) in a forked child; see the top of the file.
template <class Body>
Outcome run_forked(Body body) {
  if (!fork_enabled()) return body();
  int fds[2];
  if (pipe(fds) != 0) return body();
  std::FILE* err = std::tmpfile();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    if (err) std::fclose(err);
    return body();
  }
  if (pid == 0) {
    close(fds[0]);
    if (err) dup2(fileno(err), 2);
    Outcome o;
    try {
      o = body();
    } catch (const rc::detail::CaseResult& r) {  // RC_ASSERT / RC_FAIL in the body
      o.ok = r.type != rc::detail::CaseResult::Type::Failure;
      o.message = r.description;
    } catch (const std::exception& e) {
      o.ok = false;
      o.message = std::string("uncaught exception: ") + e.what();
    }
#ifdef SWISS_ASAN
    // A leak of the map's memory is a failure too (the fault lane's ledger
    // sees leaked objects; this sees leaked tables of every lane).
    if (o.ok && __lsan_do_recoverable_leak_check() != 0) {
      o.ok = false;
      o.message = "LeakSanitizer: the run leaked memory (report below)";
    }
#endif
    std::string msg = (o.ok ? "1" : "0") + o.message;
    const char* b = msg.data();
    std::size_t left = msg.size();
    while (left) {
      const ssize_t w = write(fds[1], b, left);
      if (w <= 0) break;
      b += w;
      left -= static_cast<std::size_t>(w);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string got;
  char buf[4096];
  // A map bug can hang (a full table probed forever): the child gets
  // case_timeout_seconds(), then it is killed and the case fails.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(case_timeout_seconds());
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t r = read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got.append(buf, static_cast<std::size_t>(r));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string report;
  if (err) {
    std::rewind(err);
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, err)) > 0;) report.append(buf, n);
    std::fclose(err);
  }
  Outcome o;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !got.empty()) {
    o.ok = got[0] == '1';
    o.message = got.substr(1);
    if (!o.ok && !report.empty() && o.message.rfind("LeakSanitizer", 0) == 0) o.message += "\n" + quote_report(report);
    return o;
  }
  o.ok = false;
  o.crashed = true;
  if (timed_out) {
    o.message = "the case did not finish within " + std::to_string(case_timeout_seconds()) +
                " s (a hang: killed; SWISS_PROPS_CASE_TIMEOUT sets the limit)";
    if (!report.empty()) o.message += "; its output:\n" + quote_report(report);
    return o;
  }
  o.message = WIFSIGNALED(status) ? "the case crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                                  : "the case died (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  if (!report.empty()) o.message += "; its report:\n" + quote_report(report);
  return o;
}

template <class L>
Outcome run_program(const swisscheck::Program& p) {
  return run_forked([&] { return run_in_process<L>(p); });
}

}  // namespace swissprops
