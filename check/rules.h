// What each op means, once: the named rules that turn an op's fields into the
// slots, keys, counts and variants it acts on. The interpreter (which applies
// them to swiss::Map and the oracle), the trace and the C++ snippet
// (trace.h, which print them or a call to them), AllocWalk (tracked_alloc.h)
// and the props model (props/model/model_state.h) all call these; none of them
// derives an op's keys or slots on its own.
//
// Rules work on key and value indices (ops.h), not on a lane's objects: a
// front end that never builds a key (the props model) can follow them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check/instrumented.h"
#include "check/ops.h"

namespace swisscheck {

// ---- keys -------------------------------------------------------------------------
// The key index a single-key op acts on (the lane's make_key/cpp_key/show_key
// take it): an op's key index, mod the lane's limit.
inline std::uint32_t key_index(std::uint32_t key, std::uint32_t limit) { return key % limit; }

// ---- slots (copy/move/swap/select/equal/merge) -------------------------------
// The map a kSlot or kMapSlotVariant argument names.
inline std::uint32_t named_slot(std::uint32_t n) { return n % kMapSlots; }
// A kMapSlotVariant's variant: swap's ADL swap(a, b) (else a.swap(b)), merge's
// merge(std::move(src)) (else merge(src)).
inline bool second_variant(std::uint32_t n) { return n / kMapSlots != 0; }
// The map an op continues on: the named one, except that an op that makes a
// new map never overwrites the current one.
inline std::uint32_t target_slot(Code c, std::uint32_t n, std::uint32_t cur) {
  std::uint32_t d = named_slot(n);
  if ((c == Code::kCopyConstruct || c == Code::kMoveConstruct || c == Code::kMoveAssign) && d == cur)
    d = (cur + 1) % kMapSlots;
  return d;
}

// ---- hints (kHintKind: n % 3) ------------------------------------------------
enum class Hint : std::uint8_t { kNone = 0, kBegin = 1, kEnd = 2 };
inline Hint hint_kind(std::uint32_t n) { return static_cast<Hint>(n % 3); }
// insert_hint: kNone is insert(find(k), p), kBegin emplace_hint(begin(), k, v),
// kEnd try_emplace(end(), k, v).
inline const char* insert_hint_form(Hint h) {
  static const char* kForms[3] = {"insert(find(k), ...)", "emplace_hint(begin(), ...)", "try_emplace(end(), ...)"};
  return kForms[static_cast<int>(h)];
}
// insert_node: kNone is insert(node), kBegin insert(cbegin(), node), kEnd
// insert(cend(), node).
inline const char* insert_node_form(Hint h) {
  static const char* kForms[3] = {"insert(node)", "insert(begin(), node)", "insert(end(), node)"};
  return kForms[static_cast<int>(h)];
}

// ---- arm_fault -----------------------------------------------------------------
inline Fault fault_kind(std::uint32_t n) { return static_cast<Fault>(n % kFaultKinds); }

// ---- bulk ops: insert_many, erase_many ---------------------------------------
// Keys start, start + 1, ... (index mod the lane's limit), as many as the op's
// count but no more than there are distinct keys.
inline std::uint32_t bulk_count(std::uint32_t n, std::uint32_t limit) { return std::min(n, limit); }
inline std::uint32_t bulk_key(std::uint32_t start, std::uint32_t i, std::uint32_t limit) {
  return (start + i) % limit;
}
// The value index a bulk insert (insert_many, insert_range) pairs key index x with.
inline std::uint32_t bulk_value(std::uint32_t x) { return x & 0xFF; }
// insert_many alternates: try_emplace(k, v) at odd i, insert({k, v}) at even i.
inline bool insert_many_try_emplaces(std::uint32_t i) { return i % 2 != 0; }

// ---- insert_range: insert(first, last) of a vector of pairs -------------------
inline constexpr std::uint32_t kMaxRange = 512;
inline std::uint32_t insert_range_size(std::uint32_t n) { return std::min(n, kMaxRange); }
// Pair i of a range of `size` pairs: the last quarter repeats keys of the rest.
inline std::uint32_t insert_range_key(std::uint32_t start, std::uint32_t size, std::uint32_t i,
                                      std::uint32_t limit) {
  const std::uint32_t w = size * 3 / 4 ? size * 3 / 4 : 1;
  return (start + i % w) % limit;
}

// ---- erase_range: erase(begin(), next(begin(), n)) ----------------------------
inline std::size_t erase_range_count(std::uint32_t n, std::size_t size) { return std::min<std::size_t>(n, size); }

// ---- erase_if (kResidue: n % 4) --------------------------------------------------
// The entries erase_if erases: those whose key's fingerprint (lanes.h) has
// residue n mod 4.
inline bool erase_if_erases(std::uint64_t key_fingerprint, std::uint32_t residue) {
  return key_fingerprint % 4 == residue;
}
inline std::string erase_if_says(std::uint32_t residue) { return "fingerprint(key) % 4 == " + std::to_string(residue); }

// ---- extract_key, extract_found ---------------------------------------------------
// Whether the op replaces the held node: extracting a present key does, and so
// does extract(k) of an absent key (with an empty node); extract_found of an
// absent key finds nothing to extract and leaves the held node.
inline bool extract_replaces_held(Code c, bool present) { return present || c == Code::kExtractKey; }

// ---- iterate_mutate's actions on the entry the iteration stands on ---------------
// Neither runs once the entry is gone. erase_current needs the iterator, which
// a rebuild since the yield (dirty) may have left pointing outside the map's
// storage; assign_current writes through the reference taken at the yield,
// which survives a rebuild only where entries never move (indirect lanes).
// After erase_current the rest of the yield's actions are dropped.
inline bool current_action_runs(Code c, bool gone, bool dirty, bool indirect) {
  if (gone) return false;
  return c == Code::kAssignCurrent ? !dirty || indirect : !dirty;
}

// ---- the interpreter's budget (element-steps; Options::budget) -------------------
// Charged before a top-level op runs: a bulk op's count.
inline std::size_t upfront_cost(const Op& op) {
  const bool bulk = op.code == Code::kInsertMany || op.code == Code::kEraseMany || op.code == Code::kInsertRange;
  return bulk ? op.n : 0;
}
// Ops that touch every entry of the current map (`size` of them) beyond
// what upfront_cost counts: clear destroys them all, reserve(n) and
// rehash(n) may rebuild every table and allocate tables for n entries
// (control bytes to fill: a quarter step per entry).
inline std::size_t size_cost(const Op& op, std::size_t size) {
  if (op.code == Code::kClear) return size;
  if (op.code != Code::kReserve && op.code != Code::kRehash) return 0;
  return size + (op.n == kAbsurdSize ? 0 : op.n / 4);
}
// A full check of a map of `size` entries (check, and the scheduled and final checks).
inline std::size_t full_check_cost(std::size_t size) { return 3 * size; }
// An iteration with mutation over a map of `size` entries.
inline std::size_t iteration_cost(std::size_t size, std::size_t actions) { return 2 * size + 16 * actions; }

}  // namespace swisscheck
