// Interpreter<L>'s address checks (check/interpreter.h): the invalidation
// contract (check/contract.h) over pinned entries, the rebuild rules and
// reserve(n)'s promise, after every op and every iteration action.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

template <class L>
auto Interpreter<L>::key_from_id(const OKey& id) -> Key {
  if constexpr (std::is_same_v<OKey, DoubleKeyId>) return std::bit_cast<double>(id.bits);
  else return Key(id);
}

template <class L>
const void* Interpreter<L>::address_of(Map& m, const OKey& id) {
  auto it = m.find(key_from_id(id));
  return it == m.end() ? nullptr : static_cast<const void*>(&*it);
}

template <class L>
auto Interpreter<L>::before_all() const -> std::array<Before, kMapSlots> {
  std::array<Before, kMapSlots> b;
  for (std::uint32_t i = 0; i < kMapSlots; ++i)
    if (const Map* m = maps_[i].map ? &*maps_[i].map : nullptr)
      b[i] = {Access::rebuilds(*m), m->size(), Access::seed(*m), Access::one_table_capacity(*m)};
  return b;
}

// Pins an entry the op just inserted; when all pins are taken, it replaces
// them in turn (so the sample rotates through the map's entries).
template <class L>
void Interpreter<L>::pin(HeldMap& s, const OKey& id, const void* addr) {
  if (L::is_nan(key_from_id(id))) return;
  for (Pin& p : s.pins)
    if (p.id == id) {
      p.addr = addr;
      return;
    }
  if (s.pins.size() < kPins) s.pins.push_back({id, addr});
  else s.pins[s.pin_turn++ % kPins] = {id, addr};
}

// Every entry of a small map, and at least half of kPins of a big one.
template <class L>
void Interpreter<L>::top_up_pins(HeldMap& s) {
  Map& m = *s.map;
  const std::size_t want = std::min(m.size(), kPins);
  if (s.pins.size() >= want || (m.size() > 2 * kPins && 2 * s.pins.size() >= want)) return;
  absl::flat_hash_set<const void*> pinned;
  for (const Pin& p : s.pins) pinned.insert(p.addr);
  for (auto it = m.begin(); it != m.end() && s.pins.size() < want; ++it) {
    if (L::is_nan(it->first) || pinned.contains(&*it)) continue;
    const OKey id = L::okey(it->first);
    if (!s.model.find_id(id)) fail("the map holds " + key_text(it->first) + ", which the oracle does not");
    s.pins.push_back({id, &*it});
  }
}

// After an op of family f on slot i: the pinned entries still in the map
// are where the rules say, the rebuild rules hold, the reserve promise holds.
template <class L>
void Interpreter<L>::verify_slot(std::uint32_t i, Family f, const Before& b, bool threw) {
  HeldMap& s = maps_[i];
  if (!s.map) {
    s.pins.clear();
    s.promise.reset();
    return;
  }
  Map& m = *s.map;
  const std::uint64_t now = Access::rebuilds(m);
  const bool rebuilt = now != b.rebuilds;
  const bool added = m.size() > b.size;
  const bool same_map = f != Family::kSwap && f != Family::kMove;
  if (same_map && rebuilt && !threw && !may_rebuild(f, added)) {
    const Rule r = f == Family::kInsert ? Rule::kInsertNoKeyNoRebuild
                   : f == Family::kErase ? Rule::kEraseMovesNothing : Rule::kLookupMovesNothing;
    fail("rebuilt a table (rebuilds() " + std::to_string(b.rebuilds) + " -> " + std::to_string(now) + "): " +
         rule_message(r));
  }
  // Rule tombstones-rebuild-in-place: a rebuild while inserting into a
  // one-table map grows it only past half its budget. The size after the op
  // bounds the size at the rebuild (inserts only add), so a growth with the
  // final size still within the limit came too early.
  if (same_map && f == Family::kInsert && rebuilt && !threw && b.one_table_capacity != 0 &&
      m.size() <= Access::in_place_limit(b.one_table_capacity)) {
    const std::size_t cap = Access::shape(m).capacity;
    if (cap > b.one_table_capacity)
      fail("grew its one table from " + std::to_string(b.one_table_capacity) + " to " + std::to_string(cap) +
           " slots at size() " + std::to_string(m.size()) + " (at most " +
           std::to_string(Access::in_place_limit(b.one_table_capacity)) + " entries are rebuilt in place): " +
           rule_message(Rule::kTombstonesRebuildInPlace));
  }
  if (same_map && f == Family::kErase && b.size != 0 && m.empty() && Access::seed(m) == b.seed)
    fail("erased its last entry and kept its seed: " + rule_message(Rule::kEmptyingRedrawsSeed));
  std::size_t kept = 0;
  for (const Pin& p : s.pins) {
    if (!s.model.find_id(p.id)) continue;  // erased (or extracted, or moved to another map)
    const void* a = address_of(m, p.id);
    if (!a) fail("find(" + show_obj(p.id) + ") misses an entry the oracle holds");
    if (a != p.addr && !may_move(f, rebuilt, kIndirect))
      fail("moved entry " + show_obj(p.id) + ": " + rule_message(move_rule(f, kIndirect)) +
           (rebuilt ? " (rebuilds() " + std::to_string(b.rebuilds) + " -> " + std::to_string(now) + ")" : ""));
    s.pins[kept++] = {p.id, a};
  }
  s.pins.resize(kept);
  if (s.promise) {
    if (!keeps_reserve_promise(f) || threw || m.size() > *s.promise) {
      s.promise.reset();
    } else if (now != s.promise_rebuilds ||
               (s.promise_capacity != 0 && Access::shape(m).capacity != s.promise_capacity)) {
      fail("rebuilt a table at size() " + std::to_string(m.size()) + " (rebuilds() " +
           std::to_string(s.promise_rebuilds) + " -> " + std::to_string(now) + ", capacity " +
           std::to_string(s.promise_capacity) + " -> " + std::to_string(Access::shape(m).capacity) +
           "): " + rule_message(Rule::kReserveHolds) + " (n = " + std::to_string(*s.promise) + ")");
    }
  }
  top_up_pins(s);
}

template <class L>
void Interpreter<L>::start_promise(HeldMap& s, std::size_t n) {
  s.promise = n;
  s.promise_rebuilds = Access::rebuilds(*s.map);
  s.promise_capacity = Access::shape(*s.map).capacity;
}

// The address rules for each map a top-level op touched.
template <class L>
void Interpreter<L>::verify_op(const Op& op, std::uint32_t cur_before, const std::array<Before, kMapSlots>& b, bool threw) {
  const Family f = family(op.code);
  const std::uint32_t d = named_slot(op.n);
  if (threw && f == Family::kIterMutate) {
    // The action that threw was not judged: take the addresses as they are.
    for (std::uint32_t i = 0; i < kMapSlots; ++i) verify_slot(i, Family::kFree, b[i], true);
    return;
  }
  switch (f) {
    case Family::kIterMutate: return;  // each action was judged on its own
    case Family::kMerge:
      verify_slot(cur_, d == cur_ ? Family::kErase : Family::kInsert, b[cur_], threw);
      if (d != cur_) verify_slot(d, Family::kErase, b[d], threw);
      return;
    case Family::kSwap:
      verify_slot(cur_, f, b[cur_], threw);
      if (d != cur_) verify_slot(d, f, b[d], threw);
      return;
    case Family::kMove:
      verify_slot(cur_, threw ? Family::kFree : f, b[cur_], threw);
      if (cur_before != cur_) verify_slot(cur_before, Family::kFree, b[cur_before], threw);
      return;
    default:
      verify_slot(cur_, f, b[cur_], threw);
      // A copy reads its source; == reads both maps; select changes nothing.
      if (cur_before != cur_) verify_slot(cur_before, Family::kLookup, b[cur_before], threw);
      if (op.code == Code::kEqual && d != cur_) verify_slot(d, Family::kLookup, b[d], threw);
      if (op.code == Code::kReserve && op.n != kAbsurdSize && !threw) start_promise(maps_[cur_], op.n);
      return;
  }
}

}  // namespace swisscheck
