#!/usr/bin/env python3
"""Turn swiss_bench's JSON (--benchmark_out) into markdown tables.

Benchmark names are workload/hashing/map/size[/manual_time]; each run reports
its time per iteration and an "ops" counter, so ns/op = time / ops. With
--benchmark_repetitions the fastest repetition is taken (on a shared machine
the slow ones are the disturbed ones). Prints one table per hashing
(rows workload x size, columns ns/op per map and swiss/absl, swiss/boost),
a growth table (worst insert, bytes per entry), and a one-line summary of the
issue's targets. Exits 1 if any benchmark reported an error.
"""
import json
import sys

MAPS = ["swiss", "absl", "boost", "std"]
WORKLOADS = ["insert", "insert_reserved", "hit", "miss", "lookup_hit", "lookup_miss", "erase", "iterate", "churn",
             "str_hit", "str_miss", "v256_insert", "v256_hit"]
HASHINGS = {"default": "each map's default hasher", "cheap": "one shared cheap hash (CheapHash)"}
# The targets: at 1M u64->u64 swiss/absl and swiss/boost <= 1.00 on these.
TARGET_SIZE = 1_000_000
TARGET_WORKLOADS = ["insert", "hit", "miss", "lookup_hit", "lookup_miss", "erase", "iterate", "str_hit"]
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fmt(x, digits=None):
    if x is None:
        return "—"
    if digits is not None:
        return f"{x:.{digits}f}"
    if x < 10:
        return f"{x:.2f}"
    if x < 100:
        return f"{x:.1f}"
    return f"{x:,.0f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def size_label(n):
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{suffix}"
    return str(n)


def load(path):
    with open(path) as f:
        data = json.load(f)
    runs, errors = {}, []
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        # workload/hashing/map/size, then Google Benchmark's own suffixes
        # (iterations:1, manual_time, repeats:N)
        parts = [p for p in b["name"].split("/") if ":" not in p and p != "manual_time"]
        if len(parts) != 4:
            continue
        workload, hashing, mapname, size = parts[0], parts[1], parts[2], int(parts[3])
        if b.get("error_occurred"):
            errors.append(f"{b['name']}: {b.get('error_message', 'error')}")
            continue
        ops = b.get("ops") or 1
        ns_per_op = b["real_time"] * TO_NS[b.get("time_unit", "ns")] / ops
        key = (workload, hashing, mapname, size)
        prev = runs.get(key)
        if prev is None or ns_per_op < prev["ns_per_op"]:
            runs[key] = dict(b, ns_per_op=ns_per_op)
    return data.get("context", {}), runs, errors


def timing_table(runs, hashing, out):
    sizes = sorted({k[3] for k in runs if k[1] == hashing})
    if not sizes:
        return
    out.append(f"### ns per operation, {HASHINGS.get(hashing, hashing)}\n")
    out.append("| workload | size | " + " | ".join(MAPS) + " | swiss/absl | swiss/boost |")
    out.append("|---|---:|" + "---:|" * (len(MAPS) + 2))
    for w in WORKLOADS:
        for n in sizes:
            cells = {m: runs.get((w, hashing, m, n), {}).get("ns_per_op") for m in MAPS}
            if all(v is None for v in cells.values()):
                continue
            target = hashing == "default" and n == TARGET_SIZE and w in TARGET_WORKLOADS
            label = f"**{w}**" if target else w
            out.append(f"| {label} | {size_label(n)} | " + " | ".join(fmt(cells[m]) for m in MAPS)
                       + f" | {fmt(ratio(cells['swiss'], cells['absl']), 2)}"
                       + f" | {fmt(ratio(cells['swiss'], cells['boost']), 2)} |")
    out.append("")


def growth_table(runs, out):
    sizes = sorted({k[3] for k in runs if k[0] in ("grow_latency", "bytes")})
    if not sizes:
        return
    out.append("### growing from empty, u64 -> u64, default hashers\n")
    clock = [r.get("clock_read_ns") for k, r in runs.items() if k[0] == "grow_latency" and r.get("clock_read_ns")]
    if clock:
        runs_done = max(int(r.get("runs", 1)) for k, r in runs.items() if k[0] == "grow_latency")
        out.append(f"Each insert timed alone by the thread CPU clock; every per-insert figure includes one "
                   f"clock read (~{min(clock):.0f} ns). Each figure is the smallest over {runs_done} growth "
                   f"run(s); 'any run' is the largest single insert seen in any of them.\n")
    out.append("| map | size | insert ns/op | p99 ns | p99.99 ns | worst insert µs | worst, any run µs | "
               "peak bytes/entry | settled bytes/entry |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for m in MAPS:
            lat = runs.get(("grow_latency", "default", m, n))
            mem = runs.get(("bytes", "default", m, n))
            if not lat and not mem:
                continue
            lat = lat or {}
            mem = mem or {}
            worst = lat.get("max_insert_ns")
            worst_any = lat.get("max_insert_ns_any_run", worst)
            out.append(f"| {m} | {size_label(n)} | {fmt(lat.get('ns_per_op'))} | {fmt(lat.get('p99_insert_ns'))}"
                       f" | {fmt(lat.get('p9999_insert_ns'))} | {fmt(worst / 1e3 if worst else None)}"
                       f" | {fmt(worst_any / 1e3 if worst_any else None)}"
                       f" | {fmt(mem.get('peak_bytes_per_entry'), 1)} | {fmt(mem.get('settled_bytes_per_entry'), 1)} |")
    out.append("")


def summary(runs, errors):
    parts = []
    met = total = 0
    above = []
    for w in TARGET_WORKLOADS:
        s = runs.get((w, "default", "swiss", TARGET_SIZE), {}).get("ns_per_op")
        for other in ("absl", "boost"):
            o = runs.get((w, "default", other, TARGET_SIZE), {}).get("ns_per_op")
            r = ratio(s, o)
            if r is None:
                continue
            total += 1
            if r <= 1.0:
                met += 1
            else:
                above.append(f"{w}/{other} {r:.2f}")
    if total:
        parts.append(f"{met}/{total} target ratios <= 1.00 at 1M (default hashers)"
                     + (f"; above: {', '.join(above)}" if above else ""))
    else:
        parts.append("no swiss-vs-absl/boost ratios at 1M in this run")
    grow_sizes = sorted({k[3] for k in runs if k[0] == "grow_latency" and k[2] == "swiss"})
    if grow_sizes:
        n = grow_sizes[-1]
        r = ratio(runs.get(("grow_latency", "default", "swiss", n), {}).get("max_insert_ns"),
                  runs.get(("grow_latency", "default", "absl", n), {}).get("max_insert_ns"))
        if r is not None:
            parts.append(f"worst insert swiss/absl at {size_label(n)} = {r:.4f} (target <= 0.01)")
        r = ratio(runs.get(("bytes", "default", "swiss", n), {}).get("settled_bytes_per_entry"),
                  runs.get(("bytes", "default", "absl", n), {}).get("settled_bytes_per_entry"))
        if r is not None:
            parts.append(f"settled bytes/entry swiss/absl at {size_label(n)} = {r:.3f} (target <= 1.000)")
    if errors:
        parts.append(f"{len(errors)} benchmark(s) FAILED")
    return "ci/bench: " + "; ".join(parts)


def main(argv):
    if len(argv) != 2:
        print("usage: report.py swiss_bench.json", file=sys.stderr)
        return 2
    context, runs, errors = load(argv[1])
    out = []
    caches = ", ".join(f"L{c['level']} {c['size'] // 1024} KiB" for c in context.get("caches", [])
                       if c.get("type") != "Instruction")
    out.append(f"Run {context.get('date', '?')} on {context.get('host_name', '?')}: "
               f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz ({caches}), "
               f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}. "
               f"CPU {context.get('cpu', '?')}; {context.get('compiler', '?')} {context.get('flags', '')}; "
               f"swiss::Map at impl commit {context.get('impl', '?')}. "
               f"Bold rows are the issue's targets. Times are the thread's CPU time for the measured operations only.\n")
    for hashing in HASHINGS:
        timing_table(runs, hashing, out)
    growth_table(runs, out)
    # Under half a nanosecond an operation is faster than one load: the
    # compiler removed work, and the row must not be believed.
    suspicious = sorted(f"{'/'.join(map(str, k))} {r['ns_per_op']:.2f} ns/op"
                        for k, r in runs.items() if r["ns_per_op"] < 0.5)
    if suspicious:
        errors.extend(f"implausibly fast (work optimized away?): {x}" for x in suspicious)
    if errors:
        out.append("Errors:\n")
        out.extend(f"- {e}" for e in errors)
        out.append("")
    print("\n".join(out))
    print(summary(runs, errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
