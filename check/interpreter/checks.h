// Interpreter<L>'s checks (check/interpreter.h): the map against the oracle
// (size, the touched key, full contents with find() of every entry), the
// map's invariants, object lifetimes (fault lane), allocators (tracked
// lanes), erased slots reading zero, the held node, and the end of a run.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

template <class L>
void Interpreter<L>::check_size(const Map& m, const Model<L>& md, const char* when) {
  if (m.size() != md.size() || m.empty() != md.empty())
    fail(std::string(when) + ": size() is " + std::to_string(m.size()) + ", the oracle holds " +
         std::to_string(md.size()));
}

// The touched key: present with the oracle's value, or absent (NaN: never found).
template <class L>
void Interpreter<L>::check_key(Map& m, const Model<L>& md, const Key& k) {
  auto it = m.find(k);
  const OValue* want = md.find(k);
  if (!want) {
    if (it != m.end())
      fail("find(" + key_text(k) + ") found an entry the oracle does not have" +
           (L::is_nan(k) ? std::string(" (a NaN key must never be found)") : std::string()));
    if (m.contains(k) || m.count(k) != 0) fail("contains/count(" + key_text(k) + ") disagree with find: key absent");
    return;
  }
  if (it == m.end()) fail("find(" + key_text(k) + ") missed a key the oracle holds");
  if (!same_key(it->first, k)) fail("find(" + key_text(k) + ") returned the entry of another key " + key_text(it->first));
  if (!(L::ovalue(it->second) == *want))
    fail("value of " + key_text(k) + " is " + show_obj(it->second) + ", the oracle has " + show_obj(*want));
  if (!m.contains(k) || m.count(k) != 1) fail("contains/count(" + key_text(k) + ") disagree with find: key present");
}

template <class L>
void Interpreter<L>::check_ledger() {
  if constexpr (L::kFaults) {
    Ledger& l = Ledger::current();
    if (!l.errors().empty()) fail("object lifetime: " + l.errors().front());
    std::size_t entries = held_.empty() ? 0 : 1;
    for (auto& s : maps_)
      if (s.map) entries += s.map->size();
    if (l.live_keys() != entries || l.live_values() != entries)
      fail("object lifetime: " + std::to_string(l.live_keys()) + " live keys and " +
           std::to_string(l.live_values()) + " live values, but the maps (and the held node) hold " +
           std::to_string(entries) + " entries (leak, double destroy, or not exactly one destroy per erase)");
  }
}

// Full contents (iteration, and find() of each entry returns that very
// entry) and check_invariants().
template <class L>
void Interpreter<L>::check_full(Map& m, const Model<L>& md, const char* when, std::vector<Pin>* pins) {
  const std::size_t stride = md.size() / kPins + 1;
  if (pins) pins->clear();
  m.check_invariants();
  check_size(m, md, when);
  absl::flat_hash_set<const void*> seen;  // the oracle's entries matched so far
  seen.reserve(md.size());
  typename Model<L>::Matcher matcher(md);
  std::size_t n = 0;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (++n > md.size())
      fail(std::string(when) + ": iteration yields more entries than the oracle holds (" +
           std::to_string(md.size()) + ")");
    const Key& k = it->first;
    const OValue v = L::ovalue(it->second);
    const auto* e = matcher.match(k, v);
    if (!e) fail(std::string(when) + ": the map holds " + key_text(k) + " -> " + show_obj(it->second) +
                 ", which the oracle does not (or not with this value, or not this often)");
    if (!(e->second == v))
      fail(std::string(when) + ": value of " + key_text(k) + " is " + show_obj(it->second) +
           ", the oracle has " + show_obj(e->second));
    if (!seen.insert(e).second) fail(std::string(when) + ": iteration yields " + key_text(k) + " twice");
    if (pins && n % stride == 0 && !L::is_nan(k)) pins->push_back({e->first, &*it});
    auto f = m.find(k);
    if (L::is_nan(k)) {
      if (f != m.end()) fail(std::string(when) + ": find(NaN) found an entry");
    } else if (f == m.end() || &*f != &*it) {
      fail(std::string(when) + ": find(" + key_text(k) + ") does not return the entry iteration yields" +
           (f == m.end() ? " (it misses it)" : " (another slot)"));
    }
  }
  if (n != md.size())
    fail(std::string(when) + ": iteration yields " + std::to_string(n) + " entries, the oracle holds " +
         std::to_string(md.size()));
}

template <class L>
void Interpreter<L>::check_all(const char* when) {
  for (auto& s : maps_) {
    if (!s.map) continue;
    charge(full_check_cost(s.map->size()));
    check_full(*s.map, s.model, when, &s.pins);
    s.unchecked_work = 0;
  }
  check_ledger();
}

// The scheduled check: a map nothing touched since its last full check is
// skipped, and so is a big one with little work since (a full check costs
// O(size()), single-key ops O(1); the final check still sees every map).
template <class L>
void Interpreter<L>::check_changed(const char* when) {
  for (auto& s : maps_) {
    if (!s.map || s.unchecked_work == 0) continue;
    if (s.unchecked_work * opt_.work_ratio < s.map->size()) continue;
    charge(full_check_cost(s.map->size()));
    check_full(*s.map, s.model, when, &s.pins);
    s.unchecked_work = 0;
  }
  check_ledger();
}

template <class L>
void Interpreter<L>::finish() {
  check_all("final check");
  held_ = Node();
  oheld_ = typename Model<L>::Node();
  for (std::uint32_t i = 0; i < kMapSlots; ++i) empty_slot(i);
  if constexpr (kTracked) {
    const TrackedRegistry& r = tracked_registry();
    if (!r.errors().empty()) fail("while destroying every map: " + r.errors().front());
    if (!r.outstanding().empty())
      fail("after destroying every map, blocks are still allocated (leak): " + show_outstanding());
  }
  if constexpr (L::kFaults) {
    Ledger& l = Ledger::current();
    l.disarm();
    if (!l.errors().empty()) fail("object lifetime after destroying every map: " + l.errors().front());
    if (l.live_keys() || l.live_values())
      fail("after destroying every map " + std::to_string(l.live_keys()) + " keys and " +
           std::to_string(l.live_values()) + " values are still alive (leak)");
    if (l.blocks_outstanding())
      fail("after destroying every map " + std::to_string(l.blocks_outstanding()) + " allocations (" +
           std::to_string(l.bytes_outstanding()) + " bytes) were not deallocated");
  }
}

template <class L>
std::string Interpreter<L>::show_outstanding() const {
  std::string s;
  for (const auto& [id, c] : tracked_registry().outstanding())
    s += (s.empty() ? "" : ", ") + ("allocator #" + std::to_string(id) + ": " + std::to_string(c.blocks) +
                                    " blocks, " + std::to_string(c.bytes) + " bytes");
  return s;
}

// std's noexcept for these operations (issue 16, point 2): the move
// constructor on nothrow moves of hasher, key_eq and allocator; move
// assignment and swap only when the allocator propagates or is always
// equal (TrackedAlloc is neither) and hasher and key_eq do not throw.
// Compile-time facts, reported at the op that relies on them.
template <class L>
std::string Interpreter<L>::noexcept_mismatch(Code c) {
  using H = typename L::Hasher;
  using E = typename L::KeyEq;
  using A = typename L::Alloc;
  using T = std::allocator_traits<A>;
  auto differs = [](const char* what, bool is, bool want) {
    return is == want ? std::string()
                      : std::string(what) + " is " + (is ? "" : "not ") + "noexcept; std makes it " +
                            (want ? "" : "not ") + "noexcept for this hasher, key_eq and allocator";
  };
  switch (c) {
    case Code::kMoveConstruct:
      return differs("Map(Map&&)", std::is_nothrow_move_constructible_v<Map>,
                     std::is_nothrow_move_constructible_v<H> && std::is_nothrow_move_constructible_v<E> &&
                         std::is_nothrow_move_constructible_v<A>);
    case Code::kMoveAssign:
      return differs("Map& operator=(Map&&)", std::is_nothrow_move_assignable_v<Map>,
                     (T::propagate_on_container_move_assignment::value || T::is_always_equal::value) &&
                         std::is_nothrow_move_assignable_v<H> && std::is_nothrow_move_assignable_v<E>);
    case Code::kSwap: {
      const bool want = (T::propagate_on_container_swap::value || T::is_always_equal::value) &&
                        std::is_nothrow_swappable_v<H> && std::is_nothrow_swappable_v<E>;
      std::string e = differs("Map::swap", noexcept(std::declval<Map&>().swap(std::declval<Map&>())), want);
      return e.empty() ? differs("swap(Map&, Map&)", std::is_nothrow_swappable_v<Map>, want) : e;
    }
    default: return "";
  }
}

// After every top-level op: the registry saw no misuse, each map holds the
// allocator std's rules give it, every resource holding memory has a map
// (or the held node) using it.
template <class L>
void Interpreter<L>::check_allocs(Code c) {
  if constexpr (kTracked) {
    const TrackedRegistry& r = tracked_registry();
    if (!r.errors().empty()) fail(r.errors().front());
    if (walk_.cur != cur_)
      fail("internal: the allocator walk is at map " + std::to_string(walk_.cur) + ", the interpreter at " +
           std::to_string(cur_));
    const std::string nx = noexcept_mismatch(c);
    if (!nx.empty()) fail(nx);
    for (std::uint32_t i = 0; i < kMapSlots; ++i) {
      if (!maps_[i].map) continue;
      const AllocIdentity has = maps_[i].map->get_allocator().identity();
      if (has != walk_.slot[i])
        fail("map " + std::to_string(i) + " holds allocator " + show_identity(has) + ", expected " +
             show_identity(walk_.slot[i]) + ": " + walk_.rule(c));
    }
    for (const auto& [id, cnt] : r.outstanding()) {
      bool used = !held_.empty() && held_alloc_.id == id;
      for (std::uint32_t i = 0; i < kMapSlots; ++i) used = used || (maps_[i].map && walk_.slot[i].id == id);
      if (!used)
        fail("allocator #" + std::to_string(id) + " has " + std::to_string(cnt.blocks) + " blocks (" +
             std::to_string(cnt.bytes) + " bytes) allocated, but no map (nor the held node) uses it (leak)");
    }
  }
}

template <class L>
typename Interpreter<L>::ErasedSlot Interpreter<L>::table_slot_of(const Map& m, const Key& k) {
  if (L::is_nan(k)) return {};
  if (m.size() > 1024 && erases_++ % 16 != 0) return {};
  return {Access::slot_address(m, k), Access::shape(m).tables};
}

template <class L>
void Interpreter<L>::check_cleared(const Map& m, const ErasedSlot& e, const Key& k) {
  // An erase may merge the slot's table away: then there is nothing to read.
  if (!e.slot || !Access::slot_in_map(m, e.slot)) return;
  if (!Access::slot_is_zero(m, e.slot))
    fail("erase of " + key_text(k) + " left non-zero bytes in its slot (delete must clear the entry)");
}

// Growth accounting goes wrong inside one op long before a scheduled check
// (a table whose growth_left is never spent fills up and the next probe
// never ends), so inserts also check the invariants whenever size() reaches
// a power of two: O(capacity) per doubling, cheap amortised.
template <class L>
void Interpreter<L>::check_at_growth_points(const Map& m) {
  const std::size_t n = m.size();
  if (n >= 8 && (n & (n - 1)) == 0) m.check_invariants();
}

// The held node (insert_node's input): the map's and the oracle's agree.
template <class L>
void Interpreter<L>::check_held(const char* when) {
  if (held_.empty() != oheld_.empty())
    fail(std::string(when) + ": the held node is " + (held_.empty() ? "empty" : "full") + ", the oracle's is " +
         (oheld_.empty() ? "empty" : "full"));
  if (held_.empty()) return;
  if (!(L::okey(held_.key()) == oheld_.key()) && !L::is_nan(held_.key()))
    fail(std::string(when) + ": the held node's key is " + key_text(held_.key()) + ", expected " +
         show_obj(oheld_.key()));
  if (!(L::ovalue(held_.mapped()) == oheld_.mapped()))
    fail(std::string(when) + ": the held node's value is " + show_obj(held_.mapped()) + ", expected " +
         show_obj(oheld_.mapped()));
  if (kIndirect && held_addr_ && static_cast<const void*>(&held_.key()) != held_addr_)
    fail(std::string(when) + ": the held node's key moved: " + rule_message(Rule::kNodeKeepsIndirect));
}

// Checks an iterator returned for key k: it points at k's entry with the
// expected value.
template <class L>
template <class It>
void Interpreter<L>::check_result_it(Map& m, It it, const Key& k, const OValue& want, const char* what) {
  if (it == m.end()) fail(std::string(what) + " returned end() for " + key_text(k));
  if (!same_key(it->first, k))
    fail(std::string(what) + " returned the entry of " + key_text(it->first) + " for " + key_text(k));
  if (!(L::ovalue(it->second) == want))
    fail(std::string(what) + " for " + key_text(k) + ": the entry holds " + show_obj(it->second) +
         ", expected " + show_obj(want));
}

}  // namespace swisscheck
