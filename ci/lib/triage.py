#!/usr/bin/env python3
"""Crash triage for ci/fuzz: what a crash is, what it is called, which
crashing inputs are the same crash, and the report of each (ci/lib/crashes.sh
runs the binaries and calls this; ci/tests/triage_test.py tests it).

  triage.py signature [--root DIR]   sanitizer/libFuzzer log on stdin ->
                                     "KIND FRAME FRAME FRAME", or nothing
  triage.py name SIGNATURE           -> crash-KIND-FILE_EXT-LINE-SHA1PREFIX
  triage.py group [--minimize-groups N]
      stdin "FILE<TAB>SIGNATURE" per crashing input; stdout per group
      "ACTION<TAB>RAW<TAB>BEST<TAB>KEY" (ACTION: minimize, smallest or
      unreproducible; BEST: the group's smallest input)
  triage.py keep --target T --work DIR --regressions DIR [--root DIR]
                 [--repro-runs N] [--no-keep]
      stdin: each group line + "<TAB>MIN<TAB>MIN_SIGNATURE" (the minimized
      input and its signature, empty when unreproducible); names, merges and
      saves the crashes, writes DIR/crashes.tsv (name, status, raw count,
      signature) and DIR/unique_crashes; stdout "NAME<TAB>SAVED" per crash
  triage.py report --target T --bin BIN --work DIR [--root DIR]
                   [--repro-runs N] [--replay BIN]
      the per-crash text of DIR/crashes.tsv, op traces from DIR/traces/NAME

Bytes that are not UTF-8 pass through unchanged (surrogateescape), so a
signature hashes to the same name as the bytes sha1sum would see.
"""
import argparse
import hashlib
import os
import re
import shutil
import sys

ENC, ERRORS = "utf-8", "surrogateescape"
OUR_DIRS = "impl|check|fuzz"
UNREPRODUCIBLE = "unreproducible"
_FRAME = re.compile(r" *#[0-9]+ 0x[0-9a-f]+ ")
_FRAME_START = re.compile(r" *#[0-9]+ ")
_OUR_FILE = re.compile(r"(%s)/.*:[0-9]+" % OUR_DIRS)


def default_root():
    return os.environ.get("SWISS_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fields(s):
    """awk's default field splitting: runs of blanks, ends ignored."""
    s = s.strip(" \t\n")
    return re.split(r"[ \t\n]+", s) if s else []


def relative(path, root):
    """${path#"$root"/}"""
    return path[len(root) + 1:] if path.startswith(root + "/") else path


# ---- signature ----------------------------------------------------------------

def our_frame(loc, root):
    """path:line[:col] -> impl|check|fuzz/...:line, or "" (not our code)."""
    loc = re.sub(r":[0-9]+\Z", "", loc, count=1)  # the column
    if loc.startswith(root + "/"):
        rel = loc[len(root) + 1:]
    else:
        m = re.search(r"/(%s)/" % OUR_DIRS, loc)
        if not m:
            return ""
        rel = loc[m.start() + 1:]
    return rel if _OUR_FILE.fullmatch(rel) else ""


def slug(s):
    """The first three words of a message, lower case, '-' between; numbers,
    addresses and 'quoted' parts (type names) left out."""
    s = re.sub(r"0x[0-9a-fA-F]+", "", s)
    s = re.sub(r"'[^']*'", "", s)
    s = re.sub(r"[0-9]+", "", s)
    s = re.sub(r"[^A-Za-z]+", " ", s)
    return "-".join(w.lower() for w in s.split()[:3])


def after(marker, line):
    """What follows the last `marker` in line."""
    return line[line.rindex(marker) + len(marker):]


def signature(text, root):
    """One line "KIND FRAME FRAME FRAME" for a sanitizer or libFuzzer report:
    the error kind (heap-use-after-free, leak, ubsan-signed-integer-overflow,
    deadly-signal, timeout, oom, ...) and the top three frames of the first
    stack that are in our code (impl/ check/ fuzz/) as path:line, consecutive
    repeats once. The interpreter's abort and a failed check_invariants() are
    named after their message: check-<words>, invariant-<words>. "" when the
    log shows no crash."""
    kind = check = ""
    frames = []
    in_stack = done = False
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if not kind and "ERROR: AddressSanitizer: " in line:
            words = fields(re.sub(r"\Aattempting ", "", after("ERROR: AddressSanitizer: ", line)))
            kind = words[0] if words else ""
            continue
        if not kind and "ERROR: LeakSanitizer: " in line:
            kind = "leak"
            continue
        if not kind and "runtime error: " in line:
            kind = "ubsan-" + slug(after("runtime error: ", line))
            loc = line[:line.index(": runtime error: ")] if ": runtime error: " in line else line
            f = our_frame(loc, root)
            if f:
                frames.append(f)
            continue
        # the interpreter prints "==== swisscheck: lane L, op #N (op): WHAT"
        # and aborts: name the kind after WHAT, not just "deadly-signal"
        if not check and line.startswith("==== swisscheck: "):
            check = "check-" + slug(re.sub(r"\A[^)]*\): ", "", line, count=1))
            continue
        if not check and "check_invariants failed: " in line:
            check = "invariant-" + slug(after("check_invariants failed: ", line))
            continue
        if not kind and "ERROR: libFuzzer: deadly signal" in line:
            kind = check or "deadly-signal"
            continue
        if not kind and "ERROR: libFuzzer: timeout" in line:
            kind = "timeout"
            continue
        if not kind and "ERROR: libFuzzer: out-of-memory" in line:
            kind = "oom"
            continue
        if not kind and "ERROR: libFuzzer: " in line:
            kind = slug(after("ERROR: libFuzzer: ", line))
            continue
        if kind and not done and _FRAME.match(line):
            in_stack = True
            f = our_frame(fields(line)[-1], root)
            if f and (not frames or frames[-1] != f):
                frames.append(f)
            if len(frames) >= 3:
                done = True
            continue
        if in_stack and not _FRAME_START.match(line):
            done = True  # only the first stack counts
    if not kind:
        return ""
    return " ".join([kind] + frames[:3])


# ---- names ----------------------------------------------------------------------

def sha1_prefix(data):
    return hashlib.sha1(data).hexdigest()[:8]


def _basename(path):
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else ""
    return stripped.rsplit("/", 1)[-1]


def crash_name(sig):
    """The file name a crash is kept under, e.g.
    crash-heap-use-after-free-table_h-123-1a2b3c4d: kind, top frame's file
    (. -> _) and line, first 8 hex digits of the sha1 of the whole signature."""
    kind = sig.split(" ", 1)[0]
    words = fields(sig)
    frame = words[1] if len(words) > 1 else ""
    digest = sha1_prefix(sig.encode(ENC, ERRORS))
    if not frame:
        return "crash-%s-%s" % (kind, digest)
    path, line = frame.rsplit(":", 1) if ":" in frame else (frame, frame)
    return "crash-%s-%s-%s-%s" % (kind, _basename(path).replace(".", "_"), line, digest)


# ---- grouping ---------------------------------------------------------------------

def group_key(sig):
    """Inputs with the same kind and top two frames are one crash; those that
    did not crash again are one group, "unreproducible"."""
    if not sig:
        return UNREPRODUCIBLE
    words = fields(sig)[:3]
    return " ".join(words + [""] * (3 - len(words)))


def group(entries, minimize_groups):
    """entries: (file, signature) per crashing input. Returns per group, in
    the order of first appearance, (action, raw count, smallest file, key);
    the first `minimize_groups` reproducible groups are to be minimized."""
    groups = {}
    for path, sig in entries:
        key = group_key(sig)
        size = os.stat(path).st_size
        g = groups.setdefault(key, {"raw": 0, "best": None, "size": 0})
        g["raw"] += 1
        if g["best"] is None or size < g["size"]:
            g["best"], g["size"] = path, size
    out, minimized = [], 0
    for key, g in groups.items():
        if key == UNREPRODUCIBLE:
            action = "unreproducible"
        elif minimized < minimize_groups:
            action, minimized = "minimize", minimized + 1
        else:
            action = "smallest"  # too many groups: keep the smallest raw input
        out.append((action, g["raw"], g["best"], key))
    return out


# ---- keeping ------------------------------------------------------------------------

def saved_path(name, status, target, work, root):
    if status.startswith(("new:", "known:")):
        return "%s/corpus/regressions/%s/%s" % (root, target, name)
    return "%s/min/%s" % (work, name)


def keep(rows, target, work, regressions, root, repro_runs, no_keep):
    """rows: (action, raw, best, key, min, min_signature) per group. Names
    each group by its minimized input's signature (the key when that no
    longer crashes), merges groups that end up with one name (the smallest
    input stands for it), saves each new crash into `regressions` (never
    over a file there) unless no_keep, and writes work/crashes.tsv and
    work/unique_crashes. Returns [(name, status, count, signature, saved)]."""
    crashes = {}
    os.makedirs(work + "/min", exist_ok=True)
    for action, raw, best, key, minimized, msig in rows:
        if action == "unreproducible":
            with open(best, "rb") as f:
                name = "unreproducible-" + sha1_prefix(f.read())
            kept = "%s/min/%s" % (work, name)
            shutil.copyfile(best, kept)
            crashes[name] = {"count": raw, "file": kept,
                             "sig": "no crash in %s runs of the libFuzzer build" % repro_runs}
            continue
        msig = msig or key
        name = crash_name(msig)
        c = crashes.get(name)
        if c is None:
            crashes[name] = {"count": raw, "file": minimized, "sig": msig}
        else:
            c["count"] += raw
            if os.stat(minimized).st_size < os.stat(c["file"]).st_size:
                c["file"], c["sig"] = minimized, msig
    rel_work = relative(work, root)
    out = []
    for name, c in crashes.items():
        if name.startswith("unreproducible-"):
            status = "not reproduced; kept in %s/min only" % rel_work
        elif no_keep:
            shutil.copyfile(c["file"], "%s/min/%s" % (work, name))
            status = "not saved (--no-keep): %s/min/%s" % (rel_work, name)
        elif save_new(c["file"], "%s/%s" % (regressions, name)):
            status = "new: corpus/regressions/%s/%s" % (target, name)
        else:
            status = "known: corpus/regressions/%s/%s" % (target, name)
        out.append((name, status, c["count"], c["sig"], saved_path(name, status, target, work, root)))
    with open(work + "/crashes.tsv", "w", encoding=ENC, errors=ERRORS, newline="\n") as f:
        for name, status, count, sig, _ in out:
            f.write("%s\t%s\t%s\t%s\n" % (name, status, count, sig))
    with open(work + "/unique_crashes", "w") as f:
        f.write("%d\n" % len(out))
    return out


def save_new(src, dest):
    """Copies src to dest unless something is there already (a regression
    input is never overwritten); True when it was copied."""
    if os.path.lexists(dest):
        return False
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(src, "rb") as f:
        data = f.read()
    try:
        with open(dest, "xb") as f:
            f.write(data)
    except FileExistsError:
        return False
    return True


# ---- the report ---------------------------------------------------------------------

def read_tsv(path):
    with open(path, encoding=ENC, errors=ERRORS, newline="\n") as f:
        return [line.rstrip("\n").split("\t", 3) for line in f if line.strip("\n")]


def report(target, binary, work, root, repro_runs, replay=None):
    """Per unique crash: where it is, the one command that reproduces it, and
    its op trace (work/traces/NAME, written by the replay driver)."""
    out = []
    for name, status, count, sig in read_tsv(work + "/crashes.tsv"):
        saved = relative(saved_path(name, status, target, work, root), root)
        out += ["", "  crash %s  (%s raw input(s); %s)" % (name, count, status),
                "    signature: %s" % sig,
                "    reproduce: %s -runs=%s %s" % (relative(binary, root), repro_runs, saved)]
        if replay:
            rel_replay = relative(replay, root)
            out += ["    replay:    %s %s" % (rel_replay, saved),
                    "    op trace (%s --trace %s):" % (rel_replay, saved)]
            trace = "%s/traces/%s" % (work, name)
            if os.path.exists(trace):
                with open(trace, encoding=ENC, errors=ERRORS, newline="\n") as f:
                    lines = f.read().split("\n")
                if lines[-1] == "":
                    lines.pop()
                out += ["      " + line for line in lines]
        else:
            out.append("    op trace:  (no replay driver; build it: cmake --build --preset asan --target %s_replay)"
                       % target)
    out.append("")
    return "\n".join(out) + "\n"


# ---- command line -------------------------------------------------------------------

def _stdin_lines():
    return [line for line in sys.stdin.buffer.read().decode(ENC, ERRORS).split("\n") if line]


def _write(text):
    sys.stdout.buffer.write(text.encode(ENC, ERRORS))


def _arg(s):
    return os.fsencode(s).decode(ENC, ERRORS)


def main(argv=None):
    p = argparse.ArgumentParser(prog="triage.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("signature")
    s.add_argument("--root", type=_arg, default=None)
    s = sub.add_parser("name")
    s.add_argument("signature", type=_arg)
    s = sub.add_parser("group")
    s.add_argument("--minimize-groups", type=int, default=12)
    for cmd, extra in (("keep", (("--regressions", {"type": _arg, "required": True}),
                                 ("--no-keep", {"action": "store_true"}))),
                       ("report", (("--bin", {"type": _arg, "required": True}),
                                   ("--replay", {"type": _arg, "default": ""})))):
        s = sub.add_parser(cmd)
        s.add_argument("--target", required=True)
        s.add_argument("--work", type=_arg, required=True)
        s.add_argument("--root", type=_arg, default=None)
        s.add_argument("--repro-runs", default="20")
        for flag, kw in extra:
            s.add_argument(flag, **kw)
    a = p.parse_args(argv)
    root = getattr(a, "root", None) or default_root()
    if a.cmd == "signature":
        sig = signature(sys.stdin.buffer.read().decode(ENC, ERRORS), root)
        if sig:
            _write(sig + "\n")
    elif a.cmd == "name":
        _write(crash_name(a.signature) + "\n")
    elif a.cmd == "group":
        entries = [tuple((line.split("\t", 1) + [""])[:2]) for line in _stdin_lines()]
        for action, raw, best, key in group(entries, a.minimize_groups):
            _write("%s\t%d\t%s\t%s\n" % (action, raw, best, key))
    elif a.cmd == "keep":
        rows = []
        for line in _stdin_lines():
            action, raw, best, key, minimized, msig = (line.split("\t", 5) + [""] * 6)[:6]
            rows.append((action, int(raw), best, key, minimized, msig))
        for name, _, _, _, saved in keep(rows, a.target, a.work, a.regressions, root, a.repro_runs, a.no_keep):
            _write("%s\t%s\n" % (name, saved))
    elif a.cmd == "report":
        _write(report(a.target, a.bin, a.work, root, a.repro_runs, a.replay or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
