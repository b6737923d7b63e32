#!/usr/bin/env python3
"""ci/tests/triage_test.py: crash triage (ci/lib/triage.py) on saved logs
(ci/tests/logs/, see its README) and keep_crashes (ci/lib/crashes.sh) end to
end with a stand-in fuzz binary (ctest ci.triage).

  python3 ci/tests/triage_test.py [-v]     or     python3 -m unittest ci/tests/triage_test.py
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CI = os.path.dirname(HERE)
LOGS = os.path.join(HERE, "logs")
sys.path.insert(0, os.path.join(CI, "lib"))
sys.dont_write_bytecode = True  # no ci/lib/__pycache__ in the tree
import triage  # noqa: E402

ROOT = "/src/swissfuzz"  # the checkout the saved logs were made in
MAP = "impl/include/swiss/map.h"

# log, the crash's name, its signature; the names are what the awk/bash
# triage this replaced (crashes.sh before triage.py) gave for the same logs
TABLE = """
asan_heap_use_after_free.log crash-heap-use-after-free-map_h-1047-e6372e0a
  heap-use-after-free impl/include/swiss/map.h:1047 impl/include/swiss/map.h:900 impl/include/swiss/map.h:697
asan_double_free.log crash-double-free-bad_h-10-cda393b4
  double-free impl/bad.h:10 fuzz/tiny_fuzzer.cc:5
asan_heap_buffer_overflow.log crash-heap-buffer-overflow-bad_h-15-f8fe55a9
  heap-buffer-overflow impl/bad.h:15 impl/bad.h:13 fuzz/tiny_fuzzer.cc:6
ubsan_signed_overflow.log crash-ubsan-signed-integer-overflow-map_h-1048-b27dab5d
  ubsan-signed-integer-overflow impl/include/swiss/map.h:1048 impl/include/swiss/map.h:900 impl/include/swiss/map.h:697
lsan_leak.log crash-leak-map_h-1049-010674f8
  leak impl/include/swiss/map.h:1049 impl/include/swiss/map.h:922 impl/include/swiss/map.h:725
libfuzzer_timeout.log crash-timeout-map_h-1050-58971356
  timeout impl/include/swiss/map.h:1050 impl/include/swiss/map.h:922 impl/include/swiss/map.h:725
libfuzzer_oom_malloc.log crash-oom-map_h-1051-6ce87125
  oom impl/include/swiss/map.h:1051 impl/include/swiss/map.h:922 impl/include/swiss/map.h:725
libfuzzer_oom_rss.log crash-oom-bad_h-22-0ee9dc6c
  oom impl/bad.h:22 fuzz/tiny_fuzzer.cc:7
libfuzzer_target_exited.log crash-fuzz-target-exited-tiny_fuzzer_cc-8-a560f8e3
  fuzz-target-exited fuzz/tiny_fuzzer.cc:8
swisscheck_find.log crash-check-final-check-find-interpreter_h-197-03c447f7
  check-final-check-find check/interpreter.h:197 check/interpreter.h:344 check/interpreter.h:357
invariant_growth_left.log crash-invariant-small-map-growth-invariants_h-21-f97ff86f
  invariant-small-map-growth impl/include/swiss/invariants.h:21 impl/include/swiss/invariants.h:120 impl/include/swiss/invariants.h:45
"""
_rows = TABLE.strip().split("\n")
EXPECTED = {head.split()[0]: (sig.strip(), head.split()[1]) for head, sig in zip(_rows[::2], _rows[1::2])}


def log(name):
    with open(os.path.join(LOGS, name), "rb") as f:
        return f.read().decode(triage.ENC, triage.ERRORS)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(path):
    with open(path, "rb") as f:
        return f.read().decode()


class SignatureTest(unittest.TestCase):
    def test_saved_logs(self):
        for name, (sig, _) in EXPECTED.items():
            with self.subTest(log=name):
                self.assertEqual(triage.signature(log(name), ROOT), sig)

    def test_every_saved_log_is_tested(self):
        logs = {f for f in os.listdir(LOGS) if f.endswith(".log")}
        self.assertEqual(logs, set(EXPECTED) | {"no_crash.log"})

    def test_no_crash_no_signature(self):
        self.assertEqual(triage.signature(log("no_crash.log"), ROOT), "")
        self.assertEqual(triage.signature("", ROOT), "")

    def test_frames_found_outside_the_root(self):
        # a checkout elsewhere: frames are found by their impl/ check/ fuzz/ part
        for name, (sig, _) in EXPECTED.items():
            with self.subTest(log=name):
                self.assertEqual(triage.signature(log(name), "/elsewhere"), sig)

    def test_only_our_code_under_the_root(self):
        # under the root only impl/ check/ fuzz/ count, even if a deeper part would match
        text = log("asan_double_free.log").replace(ROOT + "/impl/bad.h", ROOT + "/build/impl/bad.h")
        self.assertEqual(triage.signature(text, ROOT), "double-free fuzz/tiny_fuzzer.cc:5")

    def test_attempting_double_free_is_double_free(self):
        self.assertIn("ERROR: AddressSanitizer: attempting double-free", log("asan_double_free.log"))
        self.assertTrue(triage.signature(log("asan_double_free.log"), ROOT).startswith("double-free "))

    def test_first_stack_only(self):
        # the double free's own stack has two frames of ours; the stacks of
        # "freed by" (bad.h:9) and "allocated by" (bad.h:8) do not count
        text = log("asan_double_free.log")
        self.assertIn(ROOT + "/impl/bad.h:9:3", text)
        self.assertEqual(len(triage.signature(text, ROOT).split()), 3)

    def test_repeated_frames_once(self):
        # overflow_read recurses: bad.h:13 three times in a row, kept once
        text = log("asan_heap_buffer_overflow.log")
        stack = text.split("\n")[10:13]
        self.assertEqual([line.split()[0] + " " + line.split()[-1] for line in stack],
                         ["#%d %s/impl/bad.h:13:25" % (i, ROOT) for i in (1, 2, 3)])
        self.assertEqual(triage.signature(text, ROOT).split()[1:], ["impl/bad.h:15", "impl/bad.h:13", "fuzz/tiny_fuzzer.cc:6"])

    def test_top_three_frames(self):
        for name in EXPECTED:
            with self.subTest(log=name):
                self.assertLessEqual(len(triage.signature(log(name), ROOT).split()), 4)

    def test_ubsan_location_is_the_first_frame(self):
        # "FILE:LINE:COL: runtime error: ..." leads, before the stack (whose #0 repeats it)
        lines = [line for line in log("ubsan_signed_overflow.log").split("\n") if not line.startswith("    #0 ")]
        self.assertEqual(triage.signature("\n".join(lines), ROOT), EXPECTED["ubsan_signed_overflow.log"][0])

    def test_check_and_invariant_name_the_deadly_signal(self):
        for name, marker in (("swisscheck_find.log", "==== swisscheck: lane"),
                             ("invariant_growth_left.log", "check_invariants failed: ")):
            with self.subTest(log=name):
                lines = [line for line in log(name).split("\n") if marker not in line]
                self.assertEqual(triage.signature("\n".join(lines), ROOT).split()[0], "deadly-signal")

    def test_slug(self):
        self.assertEqual(triage.slug("signed integer overflow: 2147483647 + 8 cannot be represented in type 'int'"),
                         "signed-integer-overflow")
        self.assertEqual(triage.slug("final check: find(168) does not return the entry"), "final-check-find")
        self.assertEqual(triage.slug("load of address 0x602000000060 with insufficient space"), "load-of-address")
        self.assertEqual(triage.slug("value 'std::pair<int, int>' lost twice"), "value-lost-twice")

    def test_frame_without_column_is_not_ours(self):
        # as the awk did: the last :N is taken for the column, what is left has no line
        self.assertEqual(triage.our_frame(ROOT + "/impl/a.h:12:3", ROOT), "impl/a.h:12")
        self.assertEqual(triage.our_frame(ROOT + "/impl/a.h:12", ROOT), "")
        self.assertEqual(triage.our_frame("/usr/include/c++/12/bits/new_allocator.h:158:2", ROOT), "")


class NameTest(unittest.TestCase):
    def test_saved_logs(self):
        for log_name, (sig, name) in EXPECTED.items():
            with self.subTest(log=log_name):
                self.assertEqual(triage.crash_name(sig), name)

    def test_without_frames(self):
        self.assertEqual(triage.crash_name("deadly-signal"), "crash-deadly-signal-9fb6f7e4")
        self.assertEqual(triage.crash_name("timeout  "), "crash-timeout-c8d048be")  # a key: hashed as it is

    def test_cli(self):
        sig, name = EXPECTED["lsan_leak.log"]
        out = subprocess.run([sys.executable, triage.__file__, "name", sig], capture_output=True, check=True)
        self.assertEqual(out.stdout.decode(), name + "\n")
        out = subprocess.run([sys.executable, triage.__file__, "signature", "--root", ROOT],
                             input=log("lsan_leak.log").encode(), capture_output=True, check=True)
        self.assertEqual(out.stdout.decode(), sig + "\n")
        out = subprocess.run([sys.executable, triage.__file__, "signature", "--root", ROOT],
                             input=log("no_crash.log").encode(), capture_output=True, check=True)
        self.assertEqual(out.stdout, b"")


class TempDir(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="triage_test.")
        self.addCleanup(shutil.rmtree, self.dir)

    def file(self, name, size):
        path = os.path.join(self.dir, "in", name)
        write(path, b"x" * size)
        return path


UAF = EXPECTED["asan_heap_use_after_free.log"][0]
LEAK = EXPECTED["lsan_leak.log"][0]


class GroupTest(TempDir):
    def test_same_kind_and_top_two_frames_group_smallest_kept(self):
        a, b, c = self.file("a", 30), self.file("b", 10), self.file("c", 20)
        uaf_other_third = UAF.rsplit(" ", 1)[0] + " check/interpreter.h:1"
        groups = triage.group([(a, UAF), (b, uaf_other_third), (c, UAF)], 12)
        self.assertEqual(groups, [("minimize", 3, b, UAF.rsplit(" ", 1)[0])])

    def test_equal_sizes_first_kept(self):
        a, b = self.file("a", 10), self.file("b", 10)
        self.assertEqual(triage.group([(a, UAF), (b, UAF)], 12)[0][2], a)

    def test_other_kinds_other_groups_in_order(self):
        a, b, c = self.file("a", 5), self.file("b", 6), self.file("c", 7)
        groups = triage.group([(a, LEAK), (b, UAF), (c, LEAK)], 12)
        self.assertEqual([(g[0], g[1], g[2]) for g in groups], [("minimize", 2, a), ("minimize", 1, b)])
        self.assertEqual(groups[0][3], LEAK.rsplit(" ", 1)[0])

    def test_at_most_n_minimized(self):
        sigs = [EXPECTED[n][0] for n in sorted(EXPECTED)]
        groups = triage.group([(self.file(str(i), i + 1), s) for i, s in enumerate(sigs)], 3)
        self.assertEqual([g[0] for g in groups], ["minimize"] * 3 + ["smallest"] * (len(sigs) - 3))

    def test_no_crash_again_one_unreproducible_group(self):
        # not minimized, and not counted against the minimize limit
        a, b, c = self.file("a", 7), self.file("b", 9), self.file("c", 5)
        self.assertEqual(triage.group([(a, ""), (b, UAF), (c, "")], 1),
                         [("unreproducible", 2, c, "unreproducible"), ("minimize", 1, b, triage.group_key(UAF))])

    def test_key_without_frames(self):
        self.assertEqual(triage.group_key("timeout"), "timeout  ")
        self.assertEqual(triage.group_key(UAF), "heap-use-after-free %s:1047 %s:900" % (MAP, MAP))

    def test_cli(self):
        a, b = self.file("a", 9), self.file("b", 3)
        lines = "%s\t%s\n%s\t%s\n" % (a, UAF, b, LEAK)
        out = subprocess.run([sys.executable, triage.__file__, "group", "--minimize-groups", "1"],
                             input=lines.encode(), capture_output=True, check=True)
        self.assertEqual(out.stdout.decode(), "minimize\t1\t%s\t%s\nsmallest\t1\t%s\t%s\n"
                         % (a, triage.group_key(UAF), b, triage.group_key(LEAK)))


class KeepTest(TempDir):
    target = "t_fuzzer"

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.dir, "root")
        self.work = os.path.join(self.root, "build", "campaign", self.target)
        self.regressions = os.path.join(self.root, "corpus", "regressions", self.target)

    def minimized(self, name, data):
        path = os.path.join(self.work, "min", name)
        write(path, data)
        return path

    def keep(self, rows, no_keep=False):
        return triage.keep(rows, self.target, self.work, self.regressions, self.root, "20", no_keep)

    def tsv(self):
        return read(os.path.join(self.work, "crashes.tsv"))

    def test_new_crash_saved(self):
        m = self.minimized("a.min", "AB")
        name = triage.crash_name(UAF)
        out = self.keep([("minimize", 2, "in/a", triage.group_key(UAF), m, UAF)])
        self.assertEqual(read(os.path.join(self.regressions, name)), "AB")
        status = "new: corpus/regressions/t_fuzzer/" + name
        self.assertEqual(self.tsv(), "%s\t%s\t2\t%s\n" % (name, status, UAF))
        self.assertEqual(read(os.path.join(self.work, "unique_crashes")), "1\n")
        self.assertEqual(out, [(name, status, 2, UAF, os.path.join(self.regressions, name))])

    def test_known_crash_not_overwritten(self):
        name = triage.crash_name(UAF)
        write(os.path.join(self.regressions, name), "OLD")
        self.keep([("minimize", 1, "in/a", triage.group_key(UAF), self.minimized("a.min", "NEW"), UAF)])
        self.assertEqual(read(os.path.join(self.regressions, name)), "OLD")
        self.assertEqual(self.tsv().split("\t")[1], "known: corpus/regressions/t_fuzzer/" + name)

    def test_no_keep(self):
        name = triage.crash_name(LEAK)
        out = self.keep([("minimize", 1, "in/a", triage.group_key(LEAK), self.minimized("a.min", "L"), LEAK)],
                        no_keep=True)
        self.assertFalse(os.path.exists(self.regressions))
        self.assertEqual(read(os.path.join(self.work, "min", name)), "L")
        self.assertEqual(self.tsv().split("\t")[1], "not saved (--no-keep): build/campaign/t_fuzzer/min/" + name)
        self.assertEqual(out[0][4], self.work + "/min/" + name)

    def test_same_name_after_minimizing_merges(self):
        # two groups (other second frames) whose minimized inputs crash alike
        big, small = self.minimized("a.min", "AAAA"), self.minimized("b.min", "B")
        self.keep([("minimize", 2, "in/a", "k1", big, UAF), ("minimize", 3, "in/b", "k2", small, UAF),
                   ("minimize", 1, "in/c", "k3", self.minimized("c.min", "C"), LEAK)])
        rows = [line.split("\t") for line in self.tsv().splitlines()]
        self.assertEqual([(r[0], r[2], r[3]) for r in rows],
                         [(triage.crash_name(UAF), "5", UAF), (triage.crash_name(LEAK), "1", LEAK)])
        self.assertEqual(read(os.path.join(self.regressions, triage.crash_name(UAF))), "B")
        self.assertEqual(read(os.path.join(self.work, "unique_crashes")), "2\n")

    def test_minimized_input_no_longer_crashing_named_by_key(self):
        key = triage.group_key(UAF)
        self.keep([("minimize", 1, "in/a", key, self.minimized("a.min", "A"), "")])
        self.assertEqual(self.tsv(), "%s\tnew: corpus/regressions/t_fuzzer/%s\t1\t%s\n"
                         % (triage.crash_name(key), triage.crash_name(key), key))
        self.assertEqual(triage.crash_name(key), "crash-heap-use-after-free-map_h-1047-79c19bc2")

    def test_unreproducible_kept_under_work_only(self):
        best = os.path.join(self.dir, "in", "a")
        write(best, "never again")
        name = "unreproducible-" + triage.sha1_prefix(b"never again")
        self.keep([("unreproducible", 2, best, "unreproducible", "", "")])
        self.assertEqual(self.tsv(), "%s\tnot reproduced; kept in build/campaign/t_fuzzer/min only\t2\t"
                         "no crash in 20 runs of the libFuzzer build\n" % name)
        self.assertEqual(read(os.path.join(self.work, "min", name)), "never again")
        self.assertFalse(os.path.exists(self.regressions))

    def test_cli(self):
        m = self.minimized("a.min", "A")
        line = "minimize\t1\tin/a\t%s\t%s\t%s\n" % (triage.group_key(LEAK), m, LEAK)
        out = subprocess.run([sys.executable, triage.__file__, "keep", "--target", self.target, "--work", self.work,
                              "--regressions", self.regressions, "--root", self.root, "--no-keep"],
                             input=line.encode(), capture_output=True, check=True)
        name = triage.crash_name(LEAK)
        self.assertEqual(out.stdout.decode(), "%s\t%s/min/%s\n" % (name, self.work, name))
        self.assertIn("\tnot saved (--no-keep): ", self.tsv())


class ReportTest(TempDir):
    def test_report(self):
        root, work = "/r", os.path.join(self.dir, "w")
        write(os.path.join(work, "crashes.tsv"),
              "crash-a\tnew: corpus/regressions/t/crash-a\t3\tleak impl/a.h:1\n"
              "crash-b\tnot saved (--no-keep): w/min/crash-b\t1\toom\n")
        write(os.path.join(work, "traces", "crash-a"), "lane u64\n#0 insert 1\n")
        b = work + "/min/crash-b"
        self.assertEqual(triage.report("t", "/r/build/fuzz/fuzz/t", work, root, "20", "/r/build/asan/fuzz/t_replay"),
                         "\n".join([
                             "",
                             "  crash crash-a  (3 raw input(s); new: corpus/regressions/t/crash-a)",
                             "    signature: leak impl/a.h:1",
                             "    reproduce: build/fuzz/fuzz/t -runs=20 corpus/regressions/t/crash-a",
                             "    replay:    build/asan/fuzz/t_replay corpus/regressions/t/crash-a",
                             "    op trace (build/asan/fuzz/t_replay --trace corpus/regressions/t/crash-a):",
                             "      lane u64",
                             "      #0 insert 1",
                             "",
                             "  crash crash-b  (1 raw input(s); not saved (--no-keep): w/min/crash-b)",
                             "    signature: oom",
                             "    reproduce: build/fuzz/fuzz/t -runs=20 " + b,
                             "    replay:    build/asan/fuzz/t_replay " + b,
                             "    op trace (build/asan/fuzz/t_replay --trace %s):" % b,
                             "", ""]))
        self.assertEqual(triage.report("t", "/r/build/fuzz/fuzz/t", work, root, "20").split("\n")[4],
                         "    op trace:  (no replay driver; build it: cmake --build --preset asan --target t_replay)")


# A stand-in for a libFuzzer binary: the input's first line names a saved log,
# which it prints as the run's output; -minimize_crash gets nowhere.
FAKE_FUZZER = """#!/usr/bin/env bash
for a; do last=$a; done
case " $* " in *" -minimize_crash=1 "*) exit 0 ;; esac
name=$(head -n1 "$last")
[ -n "$name" ] && cat "%s/$name"
exit 1
"""


class KeepCrashesTest(TempDir):
    """ci/lib/crashes.sh's keep_crashes, end to end, in a stand-in root."""

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.dir, "root")
        self.bin = os.path.join(self.root, "build", "fuzz", "fuzz", "t_fuzzer")
        write(self.bin, FAKE_FUZZER % LOGS)
        os.chmod(self.bin, 0o755)
        self.inputs = []
        for name, content in (("crash-1", "asan_heap_use_after_free.log\n" + "x" * 40),
                              ("crash-2", "asan_heap_use_after_free.log\n"),
                              ("crash-3", "lsan_leak.log\n"), ("crash-4", "no_crash.log\n"), ("crash-empty", "")):
            self.inputs.append(os.path.join(self.dir, "artifacts", name))
            write(self.inputs[-1], content)

    def keep_crashes(self, work, **env):
        script = ('source "$1/lib/common.sh"; source "$1/lib/crashes.sh"; SWISS_ROOT=$2; shift 2; '
                  'keep_crashes t_fuzzer "$@"')
        out = subprocess.run(["bash", "-c", "set -euo pipefail; " + script, "bash", CI, self.root, self.bin, work]
                             + self.inputs, capture_output=True, cwd=self.root, check=True,
                             env=dict(os.environ, SWISS_NO_REPLAY_BUILD="1", SWISS_MINIMIZE_SECONDS="1", **env))
        return out.stdout.decode()

    def test_keep_then_known(self):
        uaf, leak = triage.crash_name(UAF), triage.crash_name(LEAK)
        out = self.keep_crashes("build/c1")
        regressions = os.path.join(self.root, "corpus", "regressions", "t_fuzzer")
        self.assertEqual(sorted(os.listdir(regressions)), sorted([uaf, leak]))
        self.assertEqual(read(os.path.join(regressions, uaf)), "asan_heap_use_after_free.log\n")  # the smaller
        work = os.path.join(self.root, "build", "c1")
        unrep = "unreproducible-" + triage.sha1_prefix(b"no_crash.log\n")
        self.assertEqual(read(os.path.join(work, "crashes.tsv")),
                         "%s\tnew: corpus/regressions/t_fuzzer/%s\t2\t%s\n" % (uaf, uaf, UAF)
                         + "%s\tnew: corpus/regressions/t_fuzzer/%s\t1\t%s\n" % (leak, leak, LEAK)
                         + "%s\tnot reproduced; kept in build/c1/min only\t1\t"
                           "no crash in 20 runs of the libFuzzer build\n" % unrep)
        self.assertEqual(read(os.path.join(work, "min", unrep)), "no_crash.log\n")
        self.assertEqual(read(os.path.join(work, "unique_crashes")), "3\n")
        self.assertEqual(out.split("\n")[:5], [
            "", "  crash %s  (2 raw input(s); new: corpus/regressions/t_fuzzer/%s)" % (uaf, uaf),
            "    signature: " + UAF,
            "    reproduce: build/fuzz/fuzz/t_fuzzer -runs=20 corpus/regressions/t_fuzzer/" + uaf,
            "    op trace:  (no replay driver; build it: cmake --build --preset asan --target t_fuzzer_replay)"])
        again = self.keep_crashes("build/c2")
        self.assertEqual(again.count("; known: corpus/regressions/t_fuzzer/"), 2)
        self.assertEqual(read(os.path.join(regressions, uaf)), "asan_heap_use_after_free.log\n")

    def test_no_keep(self):
        out = self.keep_crashes("build/c1", SWISS_NO_KEEP="1")
        self.assertFalse(os.path.exists(os.path.join(self.root, "corpus")))
        self.assertEqual(out.count("; not saved (--no-keep): build/c1/min/crash-"), 2)
        self.assertEqual(out.count("; not reproduced; kept in build/c1/min only)"), 1)


if __name__ == "__main__":
    unittest.main()
