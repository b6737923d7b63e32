// The RapidCheck model: what the oracle holds, as far as a generator can know
// it without running the map. It follows the interpreter's semantics op by op
// at the level of key indices, through the same rules (check/rules.h: which
// keys a bulk op, insert_range or erase_if touches, which slot an op targets): which keys each of the
// kMapSlots maps holds, which map is current, how many top-level ops and how much
// of the interpreter's budget the program has used.
//
// The interpreter keeps the real oracle (absl::flat_hash_map with values) and
// checks the map against it; this model only steers generation (pick present
// keys, fill to exactly 9 or 897 entries, churn at a constant size) and
// decides preconditions. It is exact except where the outcome depends on the
// map's seeded iteration order or on an injected throw: erase_range erases
// "the first n" entries, erase_current erases whichever entry the iteration
// is at, an action of an iteration runs only if the iteration reaches its
// yield, and an armed fault may stop a bulk op half way. After those `exact`
// is false and the model is a best guess (it drops the lowest keys).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "check/interpreter.h"  // Options::budget, which kCostLimit derives from
#include "check/lanes.h"
#include "check/ops.h"
#include "check/rules.h"
#include "check/trace.h"
#include "props/model/index_set.h"
#include "props/model/key_class.h"

namespace swissprops {

using swisscheck::Code;
using swisscheck::Op;
using swisscheck::Program;

// The interpreter's budget (check/interpreter.h Options::budget) minus room
// for what the estimate misses: a program that stays under it runs every op,
// and run_in_process (isolated_run.h) fails a case whose tail did not run.
// Heavy commands stop at 3/5 of it, so cheap ones remain to end the sequence.
inline constexpr std::uint64_t kCostLimit = swisscheck::Options{}.budget * 7 / 8;
inline constexpr std::uint64_t kHeavyCostLimit = kCostLimit * 3 / 5;

template <class L>
std::uint64_t key_fingerprint(std::uint32_t i) {
  if constexpr (std::is_same_v<L, swisscheck::InstrumentedLane>) {
    return swisscheck::fingerprint(std::uint64_t{i});  // okey(make_key(i)) == i; no ledger traffic
  } else {
    return swisscheck::fingerprint(L::okey(L::make_key(i)));
  }
}

template <class L>
struct MapModel {
  using KC = KeyClass<L>;
  IndexSet keys;                    // ordinary keys present (special indices in it are ignored)
  bool zero = false;                // double lane: the 0.0 key
  std::array<std::uint32_t, 4> nans{};  // double lane: NaN entries per bit pattern

  std::uint64_t size() const {
    std::uint64_t n = 0;
    for (const auto& [lo, hi] : keys.runs()) n += (hi - lo) - KC::specials_in(lo, hi);
    if constexpr (KC::kSpecial) {
      n += zero ? 1 : 0;
      for (std::uint32_t c : nans) n += c;
    }
    return n;
  }
  std::uint64_t nan_count() const {
    std::uint64_t n = 0;
    for (std::uint32_t c : nans) n += c;
    return n;
  }
  bool has(std::uint32_t i) const {
    if (KC::nan(i)) return false;
    if (KC::zero(i)) return zero;
    return keys.contains(i);
  }
  void add(std::uint32_t i) {
    if constexpr (KC::kSpecial) {
      if (KC::nan(i)) return void(++nans[KC::nan_pattern(i)]);
      if (KC::zero(i)) return void(zero = true);
    }
    keys.insert(i);
  }
  void remove(std::uint32_t i) {
    if (KC::nan(i)) return;  // never found, never erased by key
    if (KC::zero(i)) return void(zero = false);
    keys.erase(i);
  }
  // Keys [lo, hi), each inserted once (NaNs: each adds an entry).
  void add_run(std::uint32_t lo, std::uint32_t hi) {
    if (lo >= hi) return;
    keys.insert(lo, hi);
    if constexpr (KC::kSpecial) {
      if (KC::zero_in(lo, hi)) zero = true;
      for (std::uint32_t i = lo + (15 + 16 - lo % 16) % 16; i < hi; i += 16) ++nans[KC::nan_pattern(i)];
    }
  }
  void remove_run(std::uint32_t lo, std::uint32_t hi) {
    keys.erase(lo, hi);
    if (KC::zero_in(lo, hi)) zero = false;
  }
  void clear() {
    keys.clear();
    zero = false;
    nans = {};
  }
  // Removes up to n entries, lowest first (a guess where the map decides).
  void remove_some(std::uint64_t n) {
    if constexpr (KC::kSpecial) {
      for (auto& c : nans)
        while (n && c) --c, --n;
      if (n && zero) zero = false, --n;
    }
    while (n && !keys.empty()) {
      const auto [lo, hi] = keys.runs().front();
      const std::uint32_t take = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, hi - lo));
      const std::uint64_t real = take - KC::specials_in(lo, lo + take);
      keys.erase(lo, lo + take);
      n -= std::min(n, real ? real : 1);
    }
  }
  template <class F>
  void for_each_key(F f) const {
    for (const auto& [lo, hi] : keys.runs())
      for (std::uint32_t i = lo; i < hi; ++i)
        if (!KC::nan(i) && !KC::zero(i)) f(i);
  }
  bool operator==(const MapModel&) const = default;
};

template <class L>
struct ModelState {
  static constexpr std::uint32_t kLimit = L::kIndexLimit;

  std::uint8_t key_space_sel = 0;
  std::array<MapModel<L>, swisscheck::kMapSlots> maps{};
  std::array<bool, swisscheck::kMapSlots> engaged{true, false, false};
  std::uint32_t cur = 0;
  bool exact = true;
  bool fault_armed = false;
  std::size_t ops = 0;        // top-level ops so far
  std::uint64_t cost = 0;     // the interpreter's budget used so far (estimate)
  std::uint64_t peak = 0;     // largest size any map reached
  std::optional<std::uint32_t> held;  // the key index of the node extract_* took (insert_node's input)

  explicit ModelState(std::uint8_t sel = 0) : key_space_sel(sel) {}

  std::uint32_t space() const { return swisscheck::kKeySpaces[key_space_sel % 8]; }
  // Where keys of single-key ops come from: below the key space (canonical
  // encoding) and below the lane's index limit (distinct keys).
  std::uint32_t key_bound() const { return std::min(space(), kLimit); }
  const MapModel<L>& map() const { return maps[cur]; }
  MapModel<L>& map() { return maps[cur]; }
  std::uint64_t size() const { return map().size(); }
  std::uint64_t total_size() const {
    std::uint64_t n = 0;
    for (std::uint32_t d = 0; d < swisscheck::kMapSlots; ++d)
      if (engaged[d]) n += maps[d].size();
    return n;
  }

  // Whether ops can still be appended and all of them will run.
  bool room_for(const std::vector<Op>& more) const {
    ModelState next = *this;
    for (const Op& op : more) next.apply(op);
    return next.ops <= 400 && next.cost <= kCostLimit;
  }

  void apply(const Op& op) {
    ++ops;
    cost += 1 + op_cost(op);
    apply_top_level(op);
    peak = std::max(peak, size());
    // The interpreter's scheduled full check.
    if (ops % swisscheck::Options{}.check_every == 0) cost += swisscheck::full_check_cost(total_size()) + 1;
  }

 private:
  std::uint64_t op_cost(const Op& op) const {
    if (const std::uint64_t c = swisscheck::upfront_cost(op)) return c;
    switch (op.code) {
      case Code::kCopyConstruct: case Code::kCopyAssign: case Code::kEqual: case Code::kIterate: return size();
      case Code::kMerge: {
        const std::uint32_t src = swisscheck::named_slot(op.n);
        return engaged[src] ? maps[src].size() : 0;
      }
      case Code::kCheck: return swisscheck::full_check_cost(size());
      case Code::kIterMutate: {
        // At most: each bulk action as at top level, each entry it adds
        // yielded (2 per yield past the starting size), and a clear,
        // reserve or rehash over everything added so far.
        std::uint64_t c = swisscheck::iteration_cost(size(), op.actions.size());
        std::uint64_t n = size();
        for (const Op& a : op.actions) {
          c += swisscheck::upfront_cost(a) + swisscheck::size_cost(a, n);
          if (a.code == Code::kInsertMany) {
            c += 2 * a.n;
            n += a.n;
          }
        }
        return c;
      }
      default: return swisscheck::size_cost(op, size());
    }
  }

  void engage(std::uint32_t d) {
    if (!engaged[d]) {
      engaged[d] = true;
      maps[d].clear();
    }
  }

  // A bulk op's keys (swisscheck::bulk_key(start, i) for i < bulk_count(n)),
  // as at most two runs.
  template <class F>
  static void for_runs(std::uint32_t start, std::uint32_t n, F f) {
    n = swisscheck::bulk_count(n, kLimit);
    start = swisscheck::bulk_key(start, 0, kLimit);
    if (std::uint64_t{start} + n <= kLimit) return f(start, start + n);
    f(start, kLimit);
    f(0, start + n - kLimit);
  }

  void apply_action_op(const Op& op) {
    MapModel<L>& m = map();
    const std::uint32_t k = swisscheck::key_index(op.key, kLimit);
    switch (op.code) {
      case Code::kInsert: case Code::kEmplace: case Code::kTryEmplace: case Code::kInsertOrAssign:
      case Code::kIndexAssign: case Code::kIndexBump: case Code::kInsertHint:
        if (!m.has(k)) m.add(k);
        return;
      case Code::kEraseKey: case Code::kEraseFound: m.remove(k); return;
      case Code::kClear: m.clear(); return;
      case Code::kInsertMany: for_runs(op.key, op.n, [&](std::uint32_t a, std::uint32_t b) { add_new(m, a, b); }); return;
      case Code::kEraseMany: for_runs(op.key, op.n, [&](std::uint32_t a, std::uint32_t b) { m.remove_run(a, b); }); return;
      default: return;  // lookups, reserve, rehash, find: no change of contents
    }
  }

  // insert_many: present keys stay, absent ones (and every NaN) are added.
  static void add_new(MapModel<L>& m, std::uint32_t a, std::uint32_t b) {
    if constexpr (KeyClass<L>::kSpecial) {
      const bool had_zero = m.zero;
      m.add_run(a, b);
      if (had_zero) m.zero = true;
    } else {
      m.add_run(a, b);
    }
  }

  void apply_top_level(const Op& op) {
    using swisscheck::target_slot;
    MapModel<L>& m = map();
    switch (op.code) {
      case Code::kEraseRange: {
        const std::uint64_t n = std::min<std::uint64_t>(op.n, m.size());
        if (n == m.size()) {
          m.clear();
        } else if (n) {
          m.remove_some(n);
          exact = false;
        }
        return;
      }
      case Code::kEraseIf: {
        using swisscheck::erase_if_erases;
        using swisscheck::fingerprint;
        std::vector<std::uint32_t> doomed;
        m.for_each_key([&](std::uint32_t i) {
          if (erase_if_erases(key_fingerprint<L>(i), op.n)) doomed.push_back(i);
        });
        for (std::uint32_t i : doomed) m.keys.erase(i);
        if constexpr (KeyClass<L>::kSpecial) {
          if (m.zero && erase_if_erases(fingerprint(swisscheck::DoubleKeyId{0, 0}), op.n)) m.zero = false;
          for (unsigned p = 0; p < 4; ++p)
            if (erase_if_erases(fingerprint(swisscheck::DoubleKeyId{swisscheck::DoubleLane::kNaNBits[p], 0}), op.n))
              m.nans[p] = 0;
        }
        return;
      }
      case Code::kInsertRange: {
        const std::uint32_t n = swisscheck::insert_range_size(op.n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t x = swisscheck::insert_range_key(op.key, n, i, kLimit);
          if (!m.has(x)) m.add(x);
        }
        return;
      }
      case Code::kCopyConstruct: case Code::kCopyAssign: {
        const std::uint32_t d = target_slot(op.code, op.n, cur);
        engaged[d] = true;
        maps[d] = maps[cur];
        cur = d;
        return;
      }
      case Code::kMoveConstruct: case Code::kMoveAssign: {
        const std::uint32_t d = target_slot(op.code, op.n, cur);
        engaged[d] = true;
        maps[d] = maps[cur];
        maps[cur].clear();  // the interpreter empties the moved-from map and keeps it
        cur = d;
        return;
      }
      case Code::kSwap: {
        const std::uint32_t d = swisscheck::named_slot(op.n);
        engage(d);
        std::swap(maps[cur], maps[d]);
        return;
      }
      case Code::kSelect: engage(swisscheck::named_slot(op.n)); cur = swisscheck::named_slot(op.n); return;
      case Code::kEqual: engage(swisscheck::named_slot(op.n)); return;
      case Code::kArmFault: fault_armed = true; exact = false; return;
      case Code::kIterMutate: apply_iteration(op); return;
      case Code::kExtractKey: case Code::kExtractFound: {
        const std::uint32_t k = swisscheck::key_index(op.key, kLimit);
        const bool present = m.has(k);
        if (!swisscheck::extract_replaces_held(op.code, present)) return;
        if (present) {
          held = k;
          m.remove(k);
        } else {
          held.reset();  // extract of an absent key: an empty node replaces the held one
        }
        return;
      }
      case Code::kInsertNode:
        if (held && !m.has(*held)) {
          m.add(*held);
          held.reset();
        }
        return;
      case Code::kMerge: {
        const std::uint32_t d = swisscheck::named_slot(op.n);
        engage(d);
        if (d != cur) merge_into(m, maps[d]);
        return;
      }
      default: apply_action_op(op); return;
    }
  }

  // merge: src's keys absent in dst move there (every NaN: never found).
  static void merge_into(MapModel<L>& dst, MapModel<L>& src) {
    std::vector<std::uint32_t> moving;
    src.for_each_key([&](std::uint32_t i) {
      if (!dst.keys.contains(i)) moving.push_back(i);
    });
    for (std::uint32_t i : moving) {
      dst.keys.insert(i);
      src.keys.erase(i);
    }
    if constexpr (KeyClass<L>::kSpecial) {
      if (src.zero && !dst.zero) dst.zero = true, src.zero = false;
      for (unsigned p = 0; p < 4; ++p) dst.nans[p] += src.nans[p], src.nans[p] = 0;
    }
  }

  // An action runs if the iteration reaches its yield. It surely does while
  // the start's entries not yet removed outnumber the yield; past that it is
  // a guess (applied) and the model becomes inexact.
  void apply_iteration(const Op& op) {
    const std::uint64_t start = size();
    if (start == 0) return;  // begin() == end(): no action runs
    std::uint64_t removed = 0;
    for (const Op& a : op.actions) {
      if (a.at + removed >= start) exact = false;
      const std::uint64_t before = size();
      if (a.code == Code::kEraseCurrent) {
        map().remove_some(1);
        exact = false;
      } else if (a.code == Code::kClear) {
        map().clear();
        removed = start;
      } else if (a.code != Code::kAssignCurrent) {
        apply_action_op(a);
      }
      if (size() < before) removed += before - size();
    }
  }
};

}  // namespace swissprops
