// A structure-aware mutator for the op language (libFuzzer's custom mutator
// and crossover hooks, fuzz_target.h): bytes -> Program (decode.h) -> edits
// of whole ops -> bytes (encode.h). A byte flip mostly shifts every later op
// (an opcode byte becomes an argument); an edit here keeps the other ops
// intact and can jump straight to the counts where the map changes shape.
//
// Every edit keeps the program canonical (keys < key space, counts a byte
// decodes to, action gaps < kMaxGap, ...), so the bytes written decode to
// exactly the edited program; what does not fit in max_size is dropped from
// the end, whole ops at a time. Deterministic for a seed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check/decode.h"
#include "check/encode.h"
#include "check/ops.h"

namespace swisscheck {

namespace mutator_detail {

using Rng = std::minstd_rand;

inline std::uint32_t below(Rng& r, std::size_t n) {
  return n == 0 ? 0 : static_cast<std::uint32_t>(r() % n);
}
inline bool one_in(Rng& r, std::uint32_t n) { return below(r, n) == 0; }
// Neighbouring seeds (a test's 0, 1, 2, ...) would start minstd_rand at
// neighbouring states: multiply them apart first.
inline std::uint32_t spread(unsigned seed) { return static_cast<std::uint32_t>(seed) * 2654435761u + 0x9e3779b9u; }

// The counts where a map changes shape: empty, one entry, a group of 8 and
// its neighbours, 7/8 of a 64-slot table (56), the largest one-byte count
// (223), then canonical counts around 7/8 of a 1024-slot table (896/897),
// a full one (1024) and the splits beyond. Counts above 223 are not all
// representable: boundary_value() rounds each to a count a byte decodes to.
inline constexpr std::uint32_t kBoundaryCounts[] = {0,   1,   7,   8,    9,    15,   16,   17,  56,
                                                    57,  223, 896, 897,  1024, 1025, 2048, 4096, 8184};

// Arg a of op, reduced to what decode would read back from its encoding
// (encode_arg then decode_arg): a value of the kind the arg holds.
inline void canonicalize_arg(Arg a, std::uint32_t key_space, Op& op) {
  std::vector<std::uint8_t> b;
  detail::encode_arg(b, a, key_space, op);
  ByteReader in(b.data(), b.size());
  detail::decode_arg(in, a, key_space, op);
}

// A uniformly random value of arg a (random bytes through decode_arg).
inline void random_arg(Rng& r, Arg a, std::uint32_t key_space, Op& op) {
  const std::uint8_t b[2] = {static_cast<std::uint8_t>(r()), static_cast<std::uint8_t>(r())};
  ByteReader in(b, 2);
  detail::decode_arg(in, a, key_space, op);
}

inline bool is_count_arg(Arg a) { return a == Arg::kCount || a == Arg::kSize; }

// A boundary count for a kCount or kSize arg, canonical for that arg
// (reserve also gets kAbsurdSize, the size that must throw).
inline std::uint32_t boundary_value(Rng& r, Arg a, std::uint32_t key_space) {
  constexpr std::size_t n = sizeof kBoundaryCounts / sizeof kBoundaryCounts[0];
  Op op;
  const std::uint32_t pick = below(r, a == Arg::kSize ? n + 1 : n);
  op.n = pick == n ? kAbsurdSize : kBoundaryCounts[pick];
  // the next canonical count above a rounded one: 897 -> 992, not 744
  if (op.n > 223 && op.n != kAbsurdSize && !is_canonical_count(op.n) && one_in(r, 2))
    op.n = count_from_byte(static_cast<std::uint8_t>(byte_for_count(op.n) + 1));
  canonicalize_arg(a, key_space, op);
  return op.n;
}

inline Op random_action(Rng& r, std::uint32_t key_space) {
  const auto& codes = iteration_codes();
  Op a;
  a.code = codes[below(r, codes.size())];
  for (Arg arg : info(a.code).args) random_arg(r, arg, key_space, a);
  return a;
}

// Action `at`s in the order given: each at least the previous one and less
// than kMaxGap past it (the first: past 0), as the encoding's gaps demand.
inline void normalize_actions(Op& it) {
  if (it.actions.size() > kMaxActions) it.actions.resize(kMaxActions);
  std::uint32_t prev = 0;
  for (Op& a : it.actions) {
    a.at = std::clamp(a.at, prev, prev + kMaxGap - 1);
    prev = a.at;
  }
}

// A yield for a new action at position i of it.actions (before the one there).
inline std::uint32_t yield_between(Rng& r, const Op& it, std::size_t i) {
  const std::uint32_t lo = i == 0 ? 0 : it.actions[i - 1].at;
  return lo + below(r, kMaxGap);
}

inline Op random_op(Rng& r, std::uint32_t key_space) {
  Op op;
  op.code = static_cast<Code>(below(r, kNumTopLevel));
  for (Arg a : info(op.code).args) random_arg(r, a, key_space, op);
  if (op.code == Code::kIterMutate) {
    const std::size_t n = 1 + below(r, 3);
    for (std::size_t i = 0; i < n; ++i) {
      Op a = random_action(r, key_space);
      a.at = yield_between(r, op, op.actions.size());
      op.actions.push_back(a);
    }
  }
  return op;
}

// Where an op with a count/size arg is: the op (top level or action) and the arg.
struct CountSite {
  Op* op;
  Arg arg;
};
inline std::vector<CountSite> count_sites(Program& p) {
  std::vector<CountSite> s;
  for (Op& op : p.ops) {
    for (Arg a : info(op.code).args)
      if (is_count_arg(a)) s.push_back({&op, a});
    for (Op& act : op.actions)
      for (Arg a : info(act.code).args)
        if (is_count_arg(a)) s.push_back({&act, a});
  }
  return s;
}

inline std::size_t random_run(Rng& r, std::size_t from, std::size_t size) {
  const std::size_t most = std::min<std::size_t>(size - from, 8);
  return 1 + below(r, most);
}

// The edits, each a function of the program (a few need ops to work on; they
// return false when there is nothing to edit and another edit is drawn).
enum class Edit : std::uint8_t {
  kInsert, kDelete, kDuplicate, kMove, kChangeArg, kBoundary, kActions, kArmFault, kKeySpace,
};
inline constexpr Edit kEditMix[] = {
    Edit::kInsert,    Edit::kInsert,   Edit::kInsert,   Edit::kDelete,   Edit::kDelete,
    Edit::kDuplicate, Edit::kDuplicate, Edit::kMove,    Edit::kChangeArg, Edit::kChangeArg,
    Edit::kChangeArg, Edit::kBoundary, Edit::kBoundary, Edit::kBoundary, Edit::kActions,
    Edit::kActions,   Edit::kActions,  Edit::kArmFault, Edit::kKeySpace,
};

// Change one arg: a fresh random value, or for a key often a neighbour.
inline bool change_arg(Rng& r, std::uint32_t key_space, Op& op) {
  Arg args[3];
  std::size_t n = 0;
  for (Arg a : info(op.code).args)
    if (a != Arg::kNone) args[n++] = a;
  if (n == 0) return false;
  const Arg a = args[below(r, n)];
  if (a == Arg::kKey && one_in(r, 2)) {
    op.key = (op.key + (one_in(r, 2) ? 1 : key_space - 1)) % key_space;
  } else if (is_count_arg(a) && one_in(r, 2)) {
    op.n = boundary_value(r, a, key_space);
  } else {
    random_arg(r, a, key_space, op);
  }
  return true;
}

inline bool edit_actions(Rng& r, std::uint32_t key_space, Program& p) {
  std::vector<std::size_t> its;
  for (std::size_t i = 0; i < p.ops.size(); ++i)
    if (p.ops[i].code == Code::kIterMutate) its.push_back(i);
  if (its.empty()) {  // none yet: a new one with a few actions
    Op it;
    it.code = Code::kIterMutate;
    const std::size_t n = 1 + below(r, 4);
    for (std::size_t i = 0; i < n; ++i) {
      Op a = random_action(r, key_space);
      a.at = yield_between(r, it, i);
      it.actions.push_back(a);
    }
    p.ops.insert(p.ops.begin() + below(r, p.ops.size() + 1), std::move(it));
    return true;
  }
  Op& it = p.ops[its[below(r, its.size())]];
  auto& acts = it.actions;
  // add, remove, move, set a yield, change an arg, duplicate; an edit the
  // actions do not allow (none to remove, ...) becomes an add
  std::uint32_t k = below(r, 6);
  if (acts.empty() || (k == 2 && acts.size() < 2) || (k == 5 && acts.size() >= kMaxActions)) k = 0;
  if (k == 4) {
    Op& a = acts[below(r, acts.size())];
    if (!change_arg(r, key_space, a)) k = 3;  // erase_current, clear: no args
  }
  switch (k) {
    case 0: {
      if (acts.size() >= kMaxActions) return false;
      const std::size_t i = below(r, acts.size() + 1);
      Op a = random_action(r, key_space);
      a.at = yield_between(r, it, i);
      acts.insert(acts.begin() + i, a);
      break;
    }
    case 1:
      acts.erase(acts.begin() + below(r, acts.size()));
      break;
    case 2: {  // it joins the yield of the action it lands after
      const std::size_t from = below(r, acts.size());
      Op a = acts[from];
      acts.erase(acts.begin() + from);
      const std::size_t to = below(r, acts.size() + 1);
      a.at = to == 0 ? 0 : acts[to - 1].at;
      acts.insert(acts.begin() + to, a);
      break;
    }
    case 3: {  // later actions keep their gaps
      const std::size_t i = below(r, acts.size());
      const std::uint32_t lo = i == 0 ? 0 : acts[i - 1].at;
      const std::uint32_t old = acts[i].at;
      acts[i].at = lo + below(r, kMaxGap);
      for (std::size_t j = i + 1; j < acts.size(); ++j) acts[j].at = acts[j].at - old + acts[i].at;
      break;
    }
    case 4: break;  // done above
    default: {  // a copy at the same yield
      const std::size_t i = below(r, acts.size());
      const Op copy = acts[i];
      acts.insert(acts.begin() + i + 1, copy);
      break;
    }
  }
  normalize_actions(it);
  return true;
}

inline bool apply_edit(Rng& r, Edit e, Program& p) {
  const std::uint32_t space = p.key_space();
  auto& ops = p.ops;
  switch (e) {
    case Edit::kInsert:
      ops.insert(ops.begin() + below(r, ops.size() + 1), random_op(r, space));
      return true;
    case Edit::kDelete: {
      if (ops.empty()) return false;
      const std::size_t i = below(r, ops.size());
      const std::size_t n = one_in(r, 4) ? random_run(r, i, ops.size()) : 1;
      ops.erase(ops.begin() + i, ops.begin() + i + n);
      return true;
    }
    case Edit::kDuplicate: {
      if (ops.empty()) return false;
      const std::size_t i = below(r, ops.size());
      const std::size_t n = one_in(r, 2) ? random_run(r, i, ops.size()) : 1;
      const std::vector<Op> run(ops.begin() + i, ops.begin() + i + n);
      const std::size_t times = one_in(r, 4) ? 2 + below(r, 3) : 1;
      for (std::size_t t = 0; t < times; ++t) ops.insert(ops.begin() + i + n, run.begin(), run.end());
      return true;
    }
    case Edit::kMove: {
      if (ops.size() < 2) return false;
      const std::size_t from = below(r, ops.size());
      Op op = std::move(ops[from]);
      ops.erase(ops.begin() + from);
      ops.insert(ops.begin() + below(r, ops.size() + 1), std::move(op));
      return true;
    }
    case Edit::kChangeArg: {
      if (ops.empty()) return false;
      return change_arg(r, space, ops[below(r, ops.size())]);
    }
    case Edit::kBoundary: {
      const auto sites = count_sites(p);
      if (sites.empty() || one_in(r, 4)) {  // a new bulk op (or reserve) at a boundary
        static constexpr Code kCounted[] = {Code::kInsertMany, Code::kInsertMany, Code::kEraseMany,
                                            Code::kInsertRange, Code::kReserve, Code::kRehash};
        Op op;
        op.code = kCounted[below(r, sizeof kCounted / sizeof kCounted[0])];
        for (Arg a : info(op.code).args)
          if (is_count_arg(a)) op.n = boundary_value(r, a, space);
          else random_arg(r, a, space, op);
        ops.insert(ops.begin() + below(r, ops.size() + 1), op);
        return true;
      }
      const CountSite s = sites[below(r, sites.size())];
      s.op->n = boundary_value(r, s.arg, space);
      return true;
    }
    case Edit::kActions:
      return edit_actions(r, space, p);
    case Edit::kArmFault: {
      Op op;
      op.code = Code::kArmFault;
      random_arg(r, Arg::kFaultKind, space, op);
      op.value = 1 + below(r, one_in(r, 2) ? 4 : 16);  // the k-th call fails
      ops.insert(ops.begin() + below(r, ops.size() + 1), op);
      return true;
    }
    case Edit::kKeySpace: {
      const std::uint8_t sel = static_cast<std::uint8_t>((p.key_space_sel + 1 + below(r, 7)) % 8);
      p.key_space_sel = sel;
      const std::uint32_t ks = p.key_space();
      for (Op& op : ops) {  // keys stay inside the new space
        op.key %= ks;
        for (Op& a : op.actions) a.key %= ks;
      }
      return true;
    }
  }
  return false;
}

// Encodes p into out (at most max_out bytes), dropping ops from the end
// until it fits; 0 if not even the header does.
inline std::size_t write_program(Program p, std::uint8_t* out, std::size_t max_out) {
  if (max_out == 0) return 0;
  if (p.ops.size() > kMaxOps) p.ops.resize(kMaxOps);
  std::vector<std::uint8_t> bytes = encode(p);
  if (bytes.size() > max_out) {  // keep the longest prefix of whole ops that fits
    std::vector<std::uint8_t> kept;
    kept.push_back(p.key_space_sel % 8);
    std::size_t n = 0;
    for (const Op& op : p.ops) {
      std::vector<std::uint8_t> one;
      encode_op(one, op, p.key_space());
      if (kept.size() + one.size() > max_out) break;
      kept.insert(kept.end(), one.begin(), one.end());
      ++n;
    }
    p.ops.resize(n);
    bytes = std::move(kept);
  }
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace mutator_detail

// The edited program mutate_program writes (before max_size drops ops): 1-3
// edits, redrawn until the program differs (as bytes) from p.
inline Program mutated(const Program& p, unsigned seed) {
  using namespace mutator_detail;
  Rng r(spread(seed));
  const std::vector<std::uint8_t> before = encode(p);
  Program q = p;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::size_t edits = 1 + (one_in(r, 2) ? 0 : below(r, 3));
    for (std::size_t e = 0; e < edits;) {
      constexpr std::size_t kWeights = sizeof kEditMix / sizeof kEditMix[0];
      if (apply_edit(r, kEditMix[below(r, kWeights)], q)) ++e;
    }
    if (q.ops.size() > kMaxOps) q.ops.resize(kMaxOps);
    if (encode(q) != before) break;
  }
  return q;
}

// libFuzzer's LLVMFuzzerCustomMutator contract: mutate data[0, size) in place
// into at most max_size bytes; returns the new size.
inline std::size_t mutate_program(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                  unsigned seed) {
  return mutator_detail::write_program(mutated(decode(data, size), seed), data, max_size);
}

// The program cross_over writes: program 1's header, then either a prefix of
// program 1's ops and a suffix of program 2's, or program 1 with a run of
// program 2's ops spliced in. Program 2's keys are reduced to program 1's
// key space.
inline Program crossed(const Program& p1, const Program& p2, unsigned seed) {
  using namespace mutator_detail;
  Rng r(spread(seed));
  const std::uint32_t ks = p1.key_space();
  auto adopt = [&](Op op) {
    op.key %= ks;
    for (Op& a : op.actions) a.key %= ks;
    return op;
  };
  Program q;
  q.key_space_sel = p1.key_space_sel;
  const std::size_t n1 = p1.ops.size(), n2 = p2.ops.size();
  if (one_in(r, 2)) {  // prefix of 1 + suffix of 2
    const std::size_t cut1 = below(r, n1 + 1), cut2 = below(r, n2 + 1);
    q.ops.assign(p1.ops.begin(), p1.ops.begin() + cut1);
    for (std::size_t i = cut2; i < n2; ++i) q.ops.push_back(adopt(p2.ops[i]));
  } else {  // a run of 2 spliced into 1
    q.ops = p1.ops;
    if (n2 > 0) {
      const std::size_t from = below(r, n2);
      const std::size_t len = 1 + below(r, n2 - from);
      const std::size_t at = below(r, n1 + 1);
      std::vector<Op> run;
      for (std::size_t i = from; i < from + len; ++i) run.push_back(adopt(p2.ops[i]));
      q.ops.insert(q.ops.begin() + at, run.begin(), run.end());
    }
  }
  if (q.ops.size() > kMaxOps) q.ops.resize(kMaxOps);
  return q;
}

// libFuzzer's LLVMFuzzerCustomCrossOver contract: write at most max_out bytes
// to out; returns their count.
inline std::size_t cross_over(const std::uint8_t* d1, std::size_t s1, const std::uint8_t* d2,
                              std::size_t s2, std::uint8_t* out, std::size_t max_out, unsigned seed) {
  return mutator_detail::write_program(crossed(decode(d1, s1), decode(d2, s2), seed), out, max_out);
}

}  // namespace swisscheck
