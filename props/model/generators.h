// Generators of op arguments, biased toward the boundaries that matter, for
// use inside RapidCheck command constructors (rc::gen::exec context, so
// `*gen` picks a value that shrinks).
//
//   keys       present keys most of the time (hits), any key of the key
//              space, its edges, NaN and the ±0.0 key on the double lane
//   counts     always canonical (check/ops.h count_from_byte), so every
//              generated program encodes to bytes that decode to itself
//   fills      insert_many over runs of absent keys that add exactly the
//              entries needed to reach a target size (8 -> 9, 896 -> 897, ...)
//   actions    of an iteration with mutation: growth past the next boundary,
//              erases ahead and behind, assignments, erase of the current
//              entry, clear in the middle
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "check/ops.h"
#include "props/model/model_state.h"

namespace swissprops {

// Largest canonical count <= n; smallest canonical count >= n (capped at the
// largest a reserve() size can carry: byte 255 means "absurd" there).
// Canonical counts are whatever check/ops.h's count_from_byte yields.
inline std::uint32_t max_count() { return swisscheck::count_from_byte(254); }
inline std::uint32_t canonical_floor(std::uint64_t n) {
  n = std::min<std::uint64_t>(n, max_count());
  return swisscheck::count_from_byte(swisscheck::byte_for_count(static_cast<std::uint32_t>(n)));
}
inline std::uint32_t canonical_ceil(std::uint64_t n) {
  for (unsigned b = 0; b < 255; ++b)
    if (swisscheck::count_from_byte(static_cast<std::uint8_t>(b)) >= n) return swisscheck::count_from_byte(static_cast<std::uint8_t>(b));
  return max_count();
}

// The size at which the map next changes shape: the small map (8) becomes a
// table, a table of capacity c grows at 7c/8, a full 1024-slot table (896)
// splits. Past one table it depends on the hash distribution; aim at half as
// much again, which splits some table.
inline std::uint64_t next_boundary(std::uint64_t size) {
  if (size < 8) return 8;
  for (std::uint64_t cap = 16; cap <= 1024; cap *= 2)
    if (size < cap * 7 / 8) return cap * 7 / 8;
  return size + size / 2;
}

template <class L>
struct Gens {
  using S = ModelState<L>;
  using KC = KeyClass<L>;

  static std::uint32_t value() { return *rc::gen::inRange<std::uint32_t>(0, 256); }

  static std::uint32_t present_key(const S& s) {
    const std::uint64_t n = s.map().keys.count_in(0, s.key_bound());
    if (n == 0) return any_key(s);
    return s.map().keys.nth_below(*rc::gen::inRange<std::uint64_t>(0, n), s.key_bound());
  }
  static std::uint32_t any_key(const S& s) { return *rc::gen::inRange<std::uint32_t>(0, s.key_bound()); }

  static std::uint32_t key(const S& s) {
    const std::uint32_t bound = s.key_bound();
    const bool has_present = s.map().keys.count_in(0, bound) > 0;
    std::uint32_t kind = *rc::gen::weightedElement<std::uint32_t>(
        {{has_present ? 6u : 0u, 0}, {3, 1}, {1, 2}, {KC::kSpecial ? 2u : 0u, 3}, {KC::kSpecial ? 1u : 0u, 4}});
    switch (kind) {
      case 0: return present_key(s);
      case 1: return any_key(s);
      case 2: return *rc::gen::element(0u, bound - 1);
      case 3: {  // a NaN: index 15 + 16j below the bound (one of four bit patterns)
        const std::uint32_t j = bound > 15 ? *rc::gen::inRange<std::uint32_t>(0, (bound - 15 + 15) / 16) : 0;
        return std::min(15 + 16 * j, bound - 1);
      }
      default:  // the 0.0 key, spelled +0.0 (14), -0.0 (30) or 4 * 0.75 - 3 (4)
        return std::min(*rc::gen::element(14u, 30u, 4u), bound - 1);
    }
  }

  // A count for a bulk op: small ones mostly, some across the first tables,
  // a few large.
  static std::uint32_t count() {
    const std::uint32_t kind = *rc::gen::weightedElement<std::uint32_t>({{5, 0}, {3, 1}, {1, 2}});
    if (kind == 0) return *rc::gen::inRange<std::uint32_t>(0, 17);
    if (kind == 1) return *rc::gen::inRange<std::uint32_t>(0, 160);
    return canonical_floor(*rc::gen::inRange<std::uint32_t>(160, 3000));
  }

  // insert_many ops over absent keys that take the current map to `target`
  // entries (never past it; exactly when runs of absent keys are found).
  // Counts are canonical, so the need is split into the largest canonical
  // count and small remainders, and the small ones go first: starts must lie
  // below the key space, and a small key space leaves room only at its end.
  static std::vector<Op> fill_to(const S& s0, std::uint64_t target) {
    std::vector<Op> out;
    S s = s0;
    for (int round = 0; round < 4 && s.size() < target; ++round) {
      const std::uint64_t rem = target - s.size();
      const std::uint32_t big = canonical_floor(rem);
      std::vector<std::uint32_t> pieces;
      for (std::uint64_t small = rem - big; small > 0;) {
        const std::uint32_t piece = canonical_floor(small);
        pieces.push_back(piece);
        small -= piece;
      }
      pieces.push_back(big);
      for (const std::uint32_t n : pieces) {
        if (s.size() >= target) break;
        std::optional<Op> op = place(s, n, target);
        if (!op) break;
        out.push_back(*op);
        s.apply(*op);
      }
    }
    return out;
  }

  // An insert_many adding n absent keys, or (no such run starts below the
  // key space) one whose range also covers present keys, adding as many as
  // it can without passing the target.
  static std::optional<Op> place(const S& s, std::uint32_t n, std::uint64_t target) {
    if (const auto start = s.map().keys.absent_run(n, s.key_bound(), S::kLimit))
      return Op{Code::kInsertMany, *start, 0, n};
    Op op{Code::kInsertMany};
    std::uint64_t best = 0;
    std::vector<std::uint32_t> starts = {0, s.key_bound() - 1};
    for (const auto& run : s.map().keys.runs())
      if (run.second < s.key_bound()) starts.push_back(run.second);
    for (std::uint32_t st : starts) {
      for (unsigned b = 0; b < 255; ++b) {
        const std::uint32_t c = swisscheck::count_from_byte(static_cast<std::uint8_t>(b));
        if (std::uint64_t{st} + c > S::kLimit) break;
        const std::uint64_t adds = c - s.map().keys.count_in(st, st + c);
        if (adds > target - s.size()) break;
        if (adds > best) best = adds, op.key = st, op.n = c;
      }
    }
    if (best == 0) return std::nullopt;
    return op;
  }

  // erase_many of a present run and insert_many of as many absent keys,
  // `rounds` times: the size stays, tombstones pile up (cleanup by rehash).
  static std::vector<Op> churn(const S& s0, std::uint32_t rounds, std::uint32_t batch) {
    std::vector<Op> out;
    S s = s0;
    for (std::uint32_t r = 0; r < rounds; ++r) {
      const auto p = s.map().keys.present_run(batch, s.key_bound());
      const auto a = s.map().keys.absent_run(batch, s.key_bound(), S::kLimit);
      if (!p || !a) break;
      const Op erase{Code::kEraseMany, *p, 0, batch};
      s.apply(erase);
      const Op insert{Code::kInsertMany, *a, 0, batch};
      s.apply(insert);
      out.push_back(erase);
      out.push_back(insert);
    }
    return out;
  }

  // Actions of an iteration with mutation. mode: 0 mixed, 1 growth and
  // splits while iterating, 2 clear in the middle of the iteration.
  static std::vector<Op> actions(const S& s, int mode) {
    std::vector<Op> acts;
    const std::uint64_t size = s.size();
    S t = s;  // follows the actions, so keys picked later see earlier inserts
    auto push = [&](Op a) {
      if (a.code != Code::kEraseCurrent && a.code != Code::kAssignCurrent) {
        Op as_top = a;
        as_top.at = 0;
        // apply as a simple op on the follower (iteration semantics aside)
        S next = t;
        next.apply(as_top);
        t = next;
      }
      acts.push_back(a);
    };
    std::uint32_t at = 0;
    if (mode == 2) {
      // Walk to the middle with lookups (gaps are at most 7 yields), clear
      // there, then maybe insert again in the same loop body and later.
      const std::uint32_t middle = static_cast<std::uint32_t>(std::min<std::uint64_t>(size / 2, 7 * 12));
      while (at + 7 < middle) {
        at += 7;
        push(Op{Code::kFind, present_key(t), 0, 0, at});
      }
      at = middle;
      if (*rc::gen::inRange(0, 3) == 0) push(Op{Code::kEraseCurrent, 0, 0, 0, at});
      push(Op{Code::kClear, 0, 0, 0, at});
      const std::uint32_t after = *rc::gen::inRange<std::uint32_t>(0, 4);
      for (std::uint32_t i = 0; i < after && acts.size() < swisscheck::kMaxActions; ++i) {
        at += *rc::gen::inRange<std::uint32_t>(0, 3);
        push(*rc::gen::inRange(0, 2) ? Op{Code::kInsert, any_key(t), value(), 0, at}
                                     : Op{Code::kInsertMany, any_key(t), 0, *rc::gen::inRange<std::uint32_t>(1, 40), at});
      }
      return acts;
    }
    const std::uint32_t n = *rc::gen::inRange<std::uint32_t>(1, swisscheck::kMaxActions + 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      at += *rc::gen::inRange<std::uint32_t>(0, swisscheck::kMaxGap);
      const std::uint32_t grow_w = mode == 1 ? 8 : 2;
      const std::uint32_t kind = *rc::gen::weightedElement<std::uint32_t>({
          {6, 0},       // single-key insert / assign kinds
          {grow_w, 1},  // insert_many past the next boundary (growth, split)
          {4, 2},       // erase a present key: ahead of or behind the iteration
          {3, 3},       // erase the current entry
          {2, 4},       // assign the current entry
          {1, 5},       // find
          {1, 6},       // erase_many
          {mode == 1 ? 2u : 1u, 7},  // reserve past the size (rehash while iterating)
          {1, 8},       // clear
      });
      Op a;
      a.at = at;
      switch (kind) {
        case 0: {
          a.code = *rc::gen::element(Code::kInsert, Code::kEmplace, Code::kTryEmplace, Code::kInsertOrAssign,
                                     Code::kIndexAssign, Code::kIndexBump);
          a.key = key(t);
          if (a.code != Code::kIndexBump) a.value = value();
          break;
        }
        case 1: {
          a.code = Code::kInsertMany;
          const std::uint64_t need = next_boundary(t.size()) + 1 - t.size();
          a.n = canonical_ceil(std::min<std::uint64_t>(need + *rc::gen::inRange<std::uint32_t>(0, 4), 2000));
          const auto st = t.map().keys.absent_run(a.n, t.key_bound(), S::kLimit);
          a.key = st ? *st : any_key(t);
          break;
        }
        case 2:
          a.code = *rc::gen::element(Code::kEraseKey, Code::kEraseFound);
          a.key = present_key(t);
          break;
        case 3: a.code = Code::kEraseCurrent; break;
        case 4: a.code = Code::kAssignCurrent; a.value = value(); break;
        case 5: a.code = Code::kFind; a.key = key(t); break;
        case 6: a.code = Code::kEraseMany; a.key = present_key(t); a.n = *rc::gen::inRange<std::uint32_t>(1, 33); break;
        case 7: a.code = Code::kReserve; a.n = canonical_ceil(std::min<std::uint64_t>(2 * t.size() + 16, 4000)); break;
        default: a.code = Code::kClear; break;
      }
      push(a);
    }
    (void)size;
    return acts;
  }
};

}  // namespace swissprops
