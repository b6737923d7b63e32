// The differential interpreter: applies a program (ops.h) to swiss::Map and to
// the oracle (model.h, absl::flat_hash_map) and compares them.
//
//   after every op     the op's result, size()/empty(), the touched key's
//                      presence and value; erased slots read zero (delete
//                      clears elem); for the fault lane the ledger: no errors,
//                      live keys == live values == entries over all maps
//   every K ops, end   full contents of every map (iteration + find of each
//                      entry returns that entry) and check_invariants(); at
//                      the K-op points only maps that changed since their last
//                      full check, and a big map only once the work done on it
//                      since (element-steps) reaches size() / work_ratio, so
//                      checking stays linear in the work (the end: every map)
//   iterate_mutate     Go's six guarantees at every yield (iteration_check.h)
//   addresses          the invalidation contract (contract.h) after every op
//                      and every iteration action: a sample of pinned
//                      entries per map (all of a small map) must be where the
//                      op's rules say, rebuilds() may change only where they
//                      allow, reserve(n)'s promise holds
//   node handles       extract_* fill the interpreter's held node (one, so it
//                      can go into any map), insert_node puts it back; the
//                      oracle does the same with absl's node handles
//   allocators         lanes with TrackedAlloc (tracked_alloc.h): after every
//                      op each map holds the allocator std's rules give it
//                      (AllocWalk), no block was freed through another
//                      resource's allocator, no allocator was assigned, no
//                      resource without a map holds memory; at the end nothing
//                      is outstanding. swap, merge and insert(node) between
//                      unequal allocators are undefined in std: skipped
//   fault lane         after an injected throw: every map passes
//                      check_invariants() and holds exactly the oracle's
//                      entries (single-entry ops, growth, rehash, erase are
//                      all-or-nothing; range insert, copy-assign and erase_if
//                      may stop half way but lose nothing (erase_if: nothing
//                      it was not to erase) and invent nothing)
//
// Several maps (kSlots) live at once: copy/move/swap continue on the new map
// while the old ones stay checked. On failure: the op number, what differed
// and the trace; then abort() (fuzzing) or a thrown CheckFailure (props).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "check/contract.h"
#include "check/instrumented.h"
#include "check/iteration_check.h"
#include "check/lanes.h"
#include "check/model.h"
#include "check/ops.h"
#include "check/rules.h"
#include "check/trace.h"
#include "check/tracked_alloc.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace swisscheck {

struct CheckFailure : std::runtime_error {
  CheckFailure(std::size_t op, const std::string& what) : std::runtime_error(what), op_index(op) {}
  std::size_t op_index;
};

struct Options {
  std::size_t check_every = 16;        // K: full check of changed maps every K top-level ops
  std::size_t work_ratio = 16;         // ... if work since its last full check >= size() / work_ratio
  bool abort_on_failure = true;        // fuzzing: print and abort(); props: throw CheckFailure
  std::size_t budget = 200000;         // element-steps per run (bulk ops, copies, full checks)
  std::ostream* report = &std::cerr;   // where a failure is printed before abort()
};

// The op the interpreter is running (for crash reports from sanitizers).
inline std::size_t& current_op() {
  static std::size_t op = 0;
  return op;
}

struct RunResult {
  bool ok = true;
  std::size_t failed_op = 0;
  std::string message;
  std::size_t ops_run = 0;
};

// Readable text of lane objects for failure messages.
inline std::string show_obj(std::uint64_t x) { return std::to_string(x); }
inline std::string show_obj(double x) {
  std::ostringstream o;
  o << x << " (bits 0x" << std::hex << std::bit_cast<std::uint64_t>(x) << ')';
  return o.str();
}
inline std::string show_obj(const std::string& s) { return '"' + s + '"'; }
template <std::size_t N>
std::string show_obj(const BigPod<N>& b) { return "big(" + std::to_string(b.w[0]) + ")"; }
inline std::string show_obj(const Empty&) { return "{}"; }
inline std::string show_obj(std::uint8_t) { return "{}"; }
template <bool K>
std::string show_obj(const Instrumented<K>& x) { return std::to_string(x.payload()); }
inline std::string show_obj(const DoubleKeyId& k) {
  std::ostringstream o;
  o << std::bit_cast<double>(k.bits) << " (bits 0x" << std::hex << k.bits << ")";
  return o.str();
}

template <class L>
class Interpreter {
 public:
  using Key = typename L::Key;
  using Value = typename L::Value;
  using OKey = typename L::OKey;
  using OValue = typename L::OValue;
  using Map = swiss::Map<Key, Value, typename L::Hasher, typename L::KeyEq, typename L::Alloc>;
  using Access = swiss::TestAccess<Map>;
  using Tracker = IterationTracker<L>;
  using Node = typename Map::node_type;
  // Entries behind a pointer (key or value over 128 bytes): never move.
  static constexpr bool kIndirect = Map::kIndirectKey || Map::kIndirectElem;
  // Every map has its own allocator, which need not equal another's.
  static constexpr bool kTracked = is_tracked_alloc_v<typename L::Alloc>;

  explicit Interpreter(Options o = {}) : opt_(o) {}

  // Runs the whole program, then the final checks. Every slot starts empty
  // except map 0, which is the current map.
  RunResult run(const Program& p) {
    RunResult r;
    prog_ = &p;
    try {
      begin();
      for (std::size_t i = 0; i < p.ops.size(); ++i) {
        op_index_ = i;
        current_op() = i;
        if (!apply(p.ops[i])) break;  // budget spent
        r.ops_run = i + 1;
        if ((i + 1) % opt_.check_every == 0) check_changed("scheduled full check");
      }
      op_index_ = p.ops.size();
      finish();
    } catch (const CheckFailure& f) {
      r.ok = false;
      r.failed_op = f.op_index;
      r.message = f.what();
      release_all_quietly();
    }
    prog_ = nullptr;
    return r;
  }

 private:
  // An entry whose address the contract checks (contract.h): its oracle
  // identity and &*find(key) as of the end of the last op on the map.
  struct Pin {
    OKey id;
    const void* addr;
  };
  // Pins per map: all entries of a small map, a bounded sample of a big one
  // (topped up from iteration when half are gone, refreshed from the full
  // checks, rotated by inserts), so the checks cost O(1) per op.
  static constexpr std::size_t kPins = 32;
  struct Slot {
    std::optional<Map> map;
    Model<L> model;
    std::size_t unchecked_work = 0;  // element-steps of ops on it since its last full check
    std::vector<Pin> pins;
    std::size_t pin_turn = 0;        // the pin an insert replaces next when all are taken
    // reserve(n)'s promise (rule reserve-holds): while it lasts, no rebuild
    // up to size() == n.
    std::optional<std::size_t> promise;
    std::uint64_t promise_rebuilds = 0;
    std::size_t promise_capacity = 0;
  };

  // ---- failure ----------------------------------------------------------
  [[noreturn]] void fail(const std::string& what) {
    std::string where = "op #" + std::to_string(op_index_);
    if (prog_ && op_index_ < prog_->ops.size()) where += " (" + std::string(name(prog_->ops[op_index_].code)) + ")";
    else where += " (final checks)";
    std::string msg = std::string("swisscheck: lane ") + L::kName + ", " + where + ": " + what;
    if (opt_.abort_on_failure) {
      std::ostream& out = *opt_.report;
      out << "\n==== " << msg << "\n==== trace up to the failing op:\n";
      if (prog_) print_trace<L>(out, *prog_, op_index_);
      out << "==== as C++ (replays against swiss::Map):\n";
      if (prog_) print_cpp<L>(out, *prog_, op_index_);
      out.flush();
      std::abort();
    }
    throw CheckFailure(op_index_, msg);
  }
  void expect(bool ok, const char* what) {
    if (!ok) fail(what);
  }

  // ---- fault scope: fault points count only inside the map's own calls ----
  template <class F>
  decltype(auto) call(F&& f) {
    if constexpr (L::kFaults) {
      FaultScope scope(Ledger::current());
      return f();
    } else {
      return f();
    }
  }

  // ---- lane helpers -----------------------------------------------------
  static Key key_of(std::uint32_t i) { return L::make_key(key_index(i, L::kIndexLimit)); }
  static std::string show_key(const Key& k) { return show_obj(k); }
  static OValue default_ovalue() {
    Value v{};
    return L::ovalue(v);
  }
  static bool same_key(const Key& a, const Key& b) { return L::okey(a) == L::okey(b); }

  Map& map() { return *slots_[cur_].map; }
  Model<L>& model() { return slots_[cur_].model; }
  void engage(std::uint32_t d) {
    if (!slots_[d].map) {
      make_map(d);
      slots_[d].model.clear();
    }
  }
  // A new empty map in slot d, with the slot's allocator on tracked lanes.
  void make_map(std::uint32_t d) {
    if constexpr (kTracked) {
      walk_.slot[d] = slot_identity(d);
      slots_[d].map.emplace(typename L::Alloc(walk_.slot[d]));
    } else {
      slots_[d].map.emplace();
    }
  }

  bool charge(std::size_t cost) {
    budget_used_ += cost + 1;
    return budget_used_ <= opt_.budget;
  }

  void begin() {
    if constexpr (L::kFaults) Ledger::current().reset();
    for (auto& s : slots_) {
      s.map.reset();
      s.model.clear();
      s.unchecked_work = 0;
      s.pins.clear();
      s.promise.reset();
    }
    held_ = Node();
    oheld_ = typename Model<L>::Node();
    cur_ = 0;
    budget_used_ = 0;
    erases_ = 0;
    if constexpr (kTracked) {
      tracked_registry().reset();
      walk_ = AllocWalk();
      skip_.clear();
    }
    make_map(0);
  }

  void release_all_quietly() {
    held_ = Node();
    for (auto& s : slots_) s.map.reset();
    if constexpr (L::kFaults) Ledger::current().disarm();
  }

  // ---- checks -------------------------------------------------------------
  void check_size(const Map& m, const Model<L>& md, const char* when) {
    if (m.size() != md.size() || m.empty() != md.empty())
      fail(std::string(when) + ": size() is " + std::to_string(m.size()) + ", the oracle holds " +
           std::to_string(md.size()));
  }

  // The touched key: present with the oracle's value, or absent (NaN: never found).
  void check_key(Map& m, const Model<L>& md, const Key& k) {
    auto it = m.find(k);
    const OValue* want = md.find(k);
    if (!want) {
      if (it != m.end())
        fail("find(" + show_key(k) + ") found an entry the oracle does not have" +
             (L::is_nan(k) ? std::string(" (a NaN key must never be found)") : std::string()));
      if (m.contains(k) || m.count(k) != 0) fail("contains/count(" + show_key(k) + ") disagree with find: key absent");
      return;
    }
    if (it == m.end()) fail("find(" + show_key(k) + ") missed a key the oracle holds");
    if (!same_key(it->first, k)) fail("find(" + show_key(k) + ") returned the entry of another key " + show_key(it->first));
    if (!(L::ovalue(it->second) == *want))
      fail("value of " + show_key(k) + " is " + show_obj(it->second) + ", the oracle has " + show_obj(*want));
    if (!m.contains(k) || m.count(k) != 1) fail("contains/count(" + show_key(k) + ") disagree with find: key present");
  }

  void check_ledger() {
    if constexpr (L::kFaults) {
      Ledger& l = Ledger::current();
      if (!l.errors().empty()) fail("object lifetime: " + l.errors().front());
      std::size_t entries = held_.empty() ? 0 : 1;
      for (auto& s : slots_)
        if (s.map) entries += s.map->size();
      if (l.live_keys() != entries || l.live_values() != entries)
        fail("object lifetime: " + std::to_string(l.live_keys()) + " live keys and " +
             std::to_string(l.live_values()) + " live values, but the maps (and the held node) hold " +
             std::to_string(entries) + " entries (leak, double destroy, or not exactly one destroy per erase)");
    }
  }

  // Full contents (iteration, and find() of each entry returns that very
  // entry) and check_invariants().
  void check_full(Map& m, const Model<L>& md, const char* when, std::vector<Pin>* pins = nullptr) {
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
      if (!e) fail(std::string(when) + ": the map holds " + show_key(k) + " -> " + show_obj(it->second) +
                   ", which the oracle does not (or not with this value, or not this often)");
      if (!(e->second == v))
        fail(std::string(when) + ": value of " + show_key(k) + " is " + show_obj(it->second) +
             ", the oracle has " + show_obj(e->second));
      if (!seen.insert(e).second) fail(std::string(when) + ": iteration yields " + show_key(k) + " twice");
      if (pins && n % stride == 0 && !L::is_nan(k)) pins->push_back({e->first, &*it});
      auto f = m.find(k);
      if (L::is_nan(k)) {
        if (f != m.end()) fail(std::string(when) + ": find(NaN) found an entry");
      } else if (f == m.end() || &*f != &*it) {
        fail(std::string(when) + ": find(" + show_key(k) + ") does not return the entry iteration yields" +
             (f == m.end() ? " (it misses it)" : " (another slot)"));
      }
    }
    if (n != md.size())
      fail(std::string(when) + ": iteration yields " + std::to_string(n) + " entries, the oracle holds " +
           std::to_string(md.size()));
  }

  void check_all(const char* when) {
    for (auto& s : slots_) {
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
  void check_changed(const char* when) {
    for (auto& s : slots_) {
      if (!s.map || s.unchecked_work == 0) continue;
      if (s.unchecked_work * opt_.work_ratio < s.map->size()) continue;
      charge(full_check_cost(s.map->size()));
      check_full(*s.map, s.model, when, &s.pins);
      s.unchecked_work = 0;
    }
    check_ledger();
  }

  void finish() {
    check_all("final check");
    held_ = Node();
    oheld_ = typename Model<L>::Node();
    for (auto& s : slots_) {
      s.map.reset();
      s.model.clear();
    }
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

  // ---- allocators (tracked lanes) ---------------------------------------------
  std::string show_outstanding() const {
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
  static std::string noexcept_mismatch(Code c) {
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
  void check_allocs(Code c) {
    if constexpr (kTracked) {
      const TrackedRegistry& r = tracked_registry();
      if (!r.errors().empty()) fail(r.errors().front());
      if (walk_.cur != cur_)
        fail("internal: the allocator walk is at map " + std::to_string(walk_.cur) + ", the interpreter at " +
             std::to_string(cur_));
      const std::string nx = noexcept_mismatch(c);
      if (!nx.empty()) fail(nx);
      for (std::uint32_t i = 0; i < kSlots; ++i) {
        if (!slots_[i].map) continue;
        const AllocIdentity has = slots_[i].map->get_allocator().identity();
        if (has != walk_.slot[i])
          fail("map " + std::to_string(i) + " holds allocator " + show_identity(has) + ", expected " +
               show_identity(walk_.slot[i]) + ": " + alloc_rule(c));
      }
      for (const auto& [id, cnt] : r.outstanding()) {
        bool used = !held_.empty() && held_alloc_.id == id;
        for (std::uint32_t i = 0; i < kSlots; ++i) used = used || (slots_[i].map && walk_.slot[i].id == id);
        if (!used)
          fail("allocator #" + std::to_string(id) + " has " + std::to_string(cnt.blocks) + " blocks (" +
               std::to_string(cnt.bytes) + " bytes) allocated, but no map (nor the held node) uses it (leak)");
      }
    }
  }

  // The slot of a key about to be erased, for the "erase clears the slot"
  // check. TestAccess::slot_is_zero scans every table for the slot, so a big
  // map gets every 16th erase checked.
  struct ErasedSlot {
    const void* slot = nullptr;
    std::size_t tables = 0;
  };
  ErasedSlot slot_of(const Map& m, const Key& k) {
    if (L::is_nan(k)) return {};
    if (m.size() > 1024 && erases_++ % 16 != 0) return {};
    return {Access::slot_address(m, k), Access::shape(m).tables};
  }
  void check_cleared(const Map& m, const ErasedSlot& e, const Key& k) {
    // An erase may merge the slot's table away: then there is nothing to read.
    if (!e.slot || !Access::slot_in_map(m, e.slot)) return;
    if (!Access::slot_is_zero(m, e.slot))
      fail("erase of " + show_key(k) + " left non-zero bytes in its slot (delete must clear the entry)");
  }

  // Growth accounting goes wrong inside one op long before a scheduled check
  // (a table whose growth_left is never spent fills up and the next probe
  // never ends), so inserts also check the invariants whenever size() reaches
  // a power of two: O(capacity) per doubling, cheap amortised.
  void check_at_growth_points(const Map& m) {
    const std::size_t n = m.size();
    if (n >= 8 && (n & (n - 1)) == 0) m.check_invariants();
  }


  // ---- the address contract (contract.h) ------------------------------------
  static Key key_from_id(const OKey& id) {
    if constexpr (std::is_same_v<OKey, DoubleKeyId>) return std::bit_cast<double>(id.bits);
    else return Key(id);
  }
  const void* address_of(Map& m, const OKey& id) {
    auto it = m.find(key_from_id(id));
    return it == m.end() ? nullptr : static_cast<const void*>(&*it);
  }
  static std::uint64_t rebuilds(const std::optional<Map>& m) { return m ? Access::rebuilds(*m) : 0; }

  // What an op's check needs of each map from before it.
  struct Before {
    std::uint64_t rebuilds = 0;
    std::size_t size = 0;
  };
  std::array<Before, kSlots> before_all() const {
    std::array<Before, kSlots> b;
    for (std::uint32_t i = 0; i < kSlots; ++i)
      if (slots_[i].map) b[i] = {Access::rebuilds(*slots_[i].map), slots_[i].map->size()};
    return b;
  }

  // Pins an entry the op just inserted; when all pins are taken, it replaces
  // them in turn (so the sample rotates through the map's entries).
  void pin(Slot& s, const OKey& id, const void* addr) {
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
  void top_up_pins(Slot& s) {
    Map& m = *s.map;
    const std::size_t want = std::min(m.size(), kPins);
    if (s.pins.size() >= want || (m.size() > 2 * kPins && 2 * s.pins.size() >= want)) return;
    absl::flat_hash_set<const void*> pinned;
    for (const Pin& p : s.pins) pinned.insert(p.addr);
    for (auto it = m.begin(); it != m.end() && s.pins.size() < want; ++it) {
      if (L::is_nan(it->first) || pinned.contains(&*it)) continue;
      const OKey id = L::okey(it->first);
      if (!s.model.find_id(id)) fail("the map holds " + show_key(it->first) + ", which the oracle does not");
      s.pins.push_back({id, &*it});
    }
  }

  // After an op of family f on slot i: the pinned entries still in the map
  // are where the rules say, the rebuild rules hold, the reserve promise holds.
  void verify_slot(std::uint32_t i, Family f, const Before& b, bool threw = false) {
    Slot& s = slots_[i];
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

  void start_promise(Slot& s, std::size_t n) {
    s.promise = n;
    s.promise_rebuilds = Access::rebuilds(*s.map);
    s.promise_capacity = Access::shape(*s.map).capacity;
  }

  // The held node (insert_node's input): the map's and the oracle's agree.
  void check_held(const char* when) {
    if (held_.empty() != oheld_.empty())
      fail(std::string(when) + ": the held node is " + (held_.empty() ? "empty" : "full") + ", the oracle's is " +
           (oheld_.empty() ? "empty" : "full"));
    if (held_.empty()) return;
    if (!(L::okey(held_.key()) == oheld_.key()) && !L::is_nan(held_.key()))
      fail(std::string(when) + ": the held node's key is " + show_key(held_.key()) + ", expected " +
           show_obj(oheld_.key()));
    if (!(L::ovalue(held_.mapped()) == oheld_.mapped()))
      fail(std::string(when) + ": the held node's value is " + show_obj(held_.mapped()) + ", expected " +
           show_obj(oheld_.mapped()));
    if (kIndirect && held_addr_ && static_cast<const void*>(&held_.key()) != held_addr_)
      fail(std::string(when) + ": the held node's key moved: " + rule_message(Rule::kNodeKeepsIndirect));
  }

  // ---- mirrored mutations ------------------------------------------------
  // The oracle after the map inserted k (absent before; NaN: always).
  OKey model_add(Model<L>& md, const Key& k, OValue v) { return md.add(k, std::move(v)); }

  // Checks an iterator returned for key k: it points at k's entry with the
  // expected value.
  template <class It>
  void check_result_it(Map& m, It it, const Key& k, const OValue& want, const char* what) {
    if (it == m.end()) fail(std::string(what) + " returned end() for " + show_key(k));
    if (!same_key(it->first, k))
      fail(std::string(what) + " returned the entry of " + show_key(it->first) + " for " + show_key(k));
    if (!(L::ovalue(it->second) == want))
      fail(std::string(what) + " for " + show_key(k) + ": the entry holds " + show_obj(it->second) +
           ", expected " + show_obj(want));
  }

  // One single-key or bulk op on the current map; shared by top-level ops and
  // iteration actions (t != nullptr inside an iteration).
  void apply_simple(const Op& op, Tracker* t) {
    Map& m = map();
    Model<L>& md = model();
    switch (op.code) {
      case Code::kInsert: case Code::kEmplace: case Code::kTryEmplace: case Code::kInsertOrAssign: {
        const Key k = key_of(op.key);
        const Value v = L::make_value(op.value);
        const OValue ov = L::ovalue(v);
        const OValue* had = md.find(k);
        const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
        std::pair<typename Map::iterator, bool> r;
        if (op.code == Code::kInsert) {
          typename Map::value_type p(k, v);
          r = call([&] { return m.insert(p); });
        } else if (op.code == Code::kEmplace) {
          Key k2 = k;
          Value v2 = v;
          r = call([&] { return m.emplace(std::move(k2), std::move(v2)); });
        } else if (op.code == Code::kTryEmplace) {
          Key k2 = k;
          r = call([&] { return m.try_emplace(std::move(k2), v); });
          if (old && !same_key(k2, k)) fail("try_emplace moved from its key although the key was present");
        } else {
          r = call([&] { return m.insert_or_assign(k, v); });
        }
        if (r.second == old.has_value())
          fail(std::string(name(op.code)) + "(" + show_key(k) + ") returned inserted=" +
               (r.second ? "true" : "false") + ", but the key was " + (old ? "present" : "absent"));
        const bool assigns = op.code == Code::kInsertOrAssign;
        check_result_it(m, r.first, k, old && !assigns ? *old : ov, name(op.code));
        if (!old) pin(slots_[cur_], model_add(md, k, ov), &*r.first);
        else if (assigns) md.set(L::okey(k), ov);
        check_key(m, md, k);
        if (!old) check_at_growth_points(m);
        return;
      }
      case Code::kIndexAssign: case Code::kIndexBump: {
        const Key k = key_of(op.key);
        const OValue* had = md.find(k);
        const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
        const std::size_t before = m.size();
        Value* ref;
        if (op.value & 1) {
          Key k2 = k;
          ref = &call([&]() -> Value& { return m[std::move(k2)]; });
        } else {
          ref = &call([&]() -> Value& { return m[k]; });
        }
        if (m.size() != before + (old ? 0 : 1)) fail("operator[] changed size() wrongly");
        const OValue start = old ? *old : default_ovalue();
        if (!(L::ovalue(*ref) == start))
          fail("operator[](" + show_key(k) + ") gives " + show_obj(*ref) + ", expected " + show_obj(start) +
               (old ? "" : " (a new entry must be value-initialised: delete clears elem)"));
        OKey id = old ? L::okey(k) : model_add(md, k, start);
        if (op.code == Code::kIndexBump) {
          L::bump(*ref);
          md.set(id, L::obump(start));
        } else {
          const Value v = L::make_value(op.value);
          call([&] { *ref = v; });
          md.set(id, L::ovalue(v));
        }
        check_key(m, md, k);
        if (!old) check_at_growth_points(m);
        return;
      }
      case Code::kFind: {
        const Key k = key_of(op.key);
        auto it = call([&] { return m.find(k); });
        if (const OValue* want = md.find(k)) check_result_it(m, it, k, *want, "find");
        else if (it != m.end()) fail("find(" + show_key(k) + ") found a key the oracle does not hold");
        return;
      }
      case Code::kEraseKey: {
        const Key k = key_of(op.key);
        const bool present = md.find(k) != nullptr;
        const ErasedSlot slot = slot_of(m, k);
        const std::size_t r = call([&] { return m.erase(k); });
        if (r != (present ? 1u : 0u))
          fail("erase(" + show_key(k) + ") returned " + std::to_string(r) + ", the key was " +
               (present ? "present" : "absent"));
        if (present) {
          check_cleared(m, slot, k);
          md.erase(L::okey(k));
          if (t) t->on_erase(L::okey(k));
        }
        check_key(m, md, k);
        return;
      }
      case Code::kEraseFound: {
        const Key k = key_of(op.key);
        auto it = call([&] { return m.find(k); });
        const bool present = md.find(k) != nullptr;
        if ((it != m.end()) != present) fail("find(" + show_key(k) + ") disagrees with the oracle");
        if (!present) return;
        const ErasedSlot slot = slot_of(m, k);
        auto next = call([&] { return m.erase(it); });
        check_cleared(m, slot, k);
        md.erase(L::okey(k));
        if (t) t->on_erase(L::okey(k));
        if (next != m.end()) {
          const Key& nk = next->first;
          if (!L::is_nan(nk) && !md.find(nk))
            fail("erase(iterator) returned an iterator to " + show_key(nk) + ", which is not in the map");
        }
        check_key(m, md, k);
        return;
      }
      case Code::kClear: {
        call([&] { m.clear(); });
        md.clear();
        if (t) t->on_clear();
        if (m.begin() != m.end()) fail("begin() != end() after clear()");
        return;
      }
      case Code::kReserve: {
        if (op.n == kAbsurdSize) {
          const std::size_t sizes[3] = {std::numeric_limits<std::size_t>::max(),
                                        std::numeric_limits<std::size_t>::max() / 2,
                                        m.max_size() < std::numeric_limits<std::size_t>::max() ? m.max_size() + 1
                                                                                               : m.max_size()};
          for (std::size_t n : sizes) {
            bool threw = false;
            try {
              call([&] { m.reserve(n); });
            } catch (const std::length_error&) {
              threw = true;
            }
            if (!threw) fail("reserve(" + std::to_string(n) + ") did not throw std::length_error");
          }
        } else {
          call([&] { m.reserve(op.n); });
        }
        return;
      }
      case Code::kInsertMany: {
        const std::uint32_t n = bulk_count(op.n, L::kIndexLimit);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t x = bulk_key(op.key, i, L::kIndexLimit);
          const Key k = L::make_key(x);
          const bool present = md.find(k) != nullptr;
          bool inserted;
          if (insert_many_try_emplaces(i)) {
            inserted = call([&] { return m.try_emplace(k, L::make_value(bulk_value(x))).second; });
          } else {
            typename Map::value_type p(k, L::make_value(bulk_value(x)));
            inserted = call([&] { return m.insert(p).second; });
          }
          if (inserted == present)
            fail("insert_many: insert(" + show_key(k) + ") returned inserted=" + (inserted ? "true" : "false"));
          if (inserted) {
            model_add(md, k, L::ovalue(L::make_value(bulk_value(x))));
            check_at_growth_points(m);
          }
        }
        check_size(m, md, "after insert_many");
        return;
      }
      case Code::kEraseMany: {
        const std::uint32_t n = bulk_count(op.n, L::kIndexLimit);
        for (std::uint32_t i = 0; i < n; ++i) {
          const Key k = L::make_key(bulk_key(op.key, i, L::kIndexLimit));
          const bool present = md.find(k) != nullptr;
          // TestAccess::slot_is_zero scans every table for the slot: check a
          // sample, or a bulk erase of a big map costs seconds.
          const ErasedSlot slot = present && i % 64 == 0 ? slot_of(m, k) : ErasedSlot{};
          const std::size_t r = call([&] { return m.erase(k); });
          if (r != (present ? 1u : 0u))
            fail("erase_many: erase(" + show_key(k) + ") returned " + std::to_string(r) + ", the key was " +
                 (present ? "present" : "absent"));
          if (present) {
            check_cleared(m, slot, k);
            md.erase(L::okey(k));
            if (t) t->on_erase(L::okey(k));
          }
        }
        check_size(m, md, "after erase_many");
        return;
      }
      default: fail(std::string("internal: not a simple op: ") + name(op.code));
    }
  }

  // ---- ops that only run at top level ----------------------------------------
  void apply_top(const Op& op) {
    Map& m = map();
    Model<L>& md = model();
    switch (op.code) {
      case Code::kInsertHint: {
        const Key k = key_of(op.key);
        const Value v = L::make_value(op.value);
        const OValue* had = md.find(k);
        const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
        typename Map::iterator it;
        const Hint h = hint_kind(op.n);
        if (h == Hint::kNone) {
          typename Map::value_type p(k, v);
          it = call([&] { return m.insert(m.find(k), p); });
        } else if (h == Hint::kBegin) {
          it = call([&] { return m.emplace_hint(m.begin(), k, v); });
        } else {
          it = call([&] { return m.try_emplace(m.end(), k, v); });
        }
        check_result_it(m, it, k, old ? *old : L::ovalue(v), "insert with hint");
        if (!old) model_add(md, k, L::ovalue(v));
        check_key(m, md, k);
        return;
      }
      case Code::kContains: case Code::kCount: {
        const Key k = key_of(op.key);
        const bool present = md.find(k) != nullptr;
        const bool got = op.code == Code::kContains ? call([&] { return m.contains(k); })
                                                    : call([&] { return m.count(k); }) == 1;
        if (got != present) fail(std::string(name(op.code)) + "(" + show_key(k) + ") disagrees with the oracle");
        return;
      }
      case Code::kAt: {
        const Key k = key_of(op.key);
        const OValue* want = md.find(k);
        try {
          const Value& v = (op.key & 1) ? call([&]() -> const Value& { return std::as_const(m).at(k); })
                                        : call([&]() -> const Value& { return m.at(k); });
          if (!want) fail("at(" + show_key(k) + ") did not throw std::out_of_range for an absent key");
          if (!(L::ovalue(v) == *want)) fail("at(" + show_key(k) + ") returned " + show_obj(v) + ", expected " + show_obj(*want));
        } catch (const std::out_of_range&) {
          if (want) fail("at(" + show_key(k) + ") threw std::out_of_range for a present key");
        }
        return;
      }
      case Code::kEqualRange: {
        const Key k = key_of(op.key);
        auto [a, b] = call([&] { return m.equal_range(k); });
        if (const OValue* want = md.find(k)) {
          check_result_it(m, a, k, *want, "equal_range");
          if (std::next(a) != b) fail("equal_range(" + show_key(k) + ") spans more or less than one entry");
        } else if (a != m.end() || b != m.end()) {
          fail("equal_range(" + show_key(k) + ") of an absent key is not {end(), end()}");
        }
        return;
      }
      case Code::kEraseRange: {
        const std::size_t n = erase_range_count(op.n, m.size());
        std::vector<OKey> ids;
        typename Model<L>::Matcher matcher(md);
        auto last = m.begin();
        for (std::size_t i = 0; i < n; ++i, ++last) {
          const auto* e = matcher.match(last->first, L::ovalue(last->second));
          if (!e) fail("erase_range: iteration yields " + show_key(last->first) + ", which the oracle does not hold");
          ids.push_back(e->first);
        }
        auto r = call([&] { return m.erase(m.begin(), last); });
        if (r != last) fail("erase(first, last) did not return last");
        for (const OKey& id : ids) md.erase(id);
        check_size(m, md, "after erase(first, last)");
        return;
      }
      case Code::kEraseIf: {
        auto pred = [&](const typename Map::value_type& e) {
          return erase_if_erases(fingerprint(L::okey(e.first)), op.n);
        };
        std::vector<OKey> doomed;
        for (const auto& [id, v] : md.entries())
          if (erase_if_erases(fingerprint(id), op.n)) doomed.push_back(id);
        std::size_t r = 0;
        try {
          r = call([&] { return swiss::erase_if(m, pred); });
        } catch (...) {
          // A throw (hash or equality, e.g. while an erase merges tables) may
          // stop it half way, as std::erase_if: what it erased stays erased,
          // every entry it was not to erase stays, nothing else changes.
          const Model<L> before = md;
          Model<L> keep = md;
          for (const OKey& id : doomed) keep.erase(id);
          resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
            const OValue* had = before.find(k);
            return had && *had == v;
          }, &keep);
          throw;
        }
        if (r != doomed.size())
          fail("erase_if erased " + std::to_string(r) + " entries, expected " + std::to_string(doomed.size()));
        for (const OKey& id : doomed) md.erase(id);
        check_size(m, md, "after erase_if");
        return;
      }
      case Code::kRehash: call([&] { m.rehash(op.n); }); return;
      case Code::kInsertRange: {
        const std::uint32_t n = insert_range_size(op.n);
        std::vector<std::pair<Key, Value>> range;
        range.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t x = insert_range_key(op.key, n, i, L::kIndexLimit);
          range.emplace_back(L::make_key(x), L::make_value(bulk_value(x)));
        }
        charge(md.size());
        const Model<L> before = md;
        try {
          call([&] { m.insert(range.begin(), range.end()); });
        } catch (...) {
          // May stop half way: keeps what it had, adds only the range's keys.
          resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
            if (const OValue* had = before.find(k)) return *had == v;
            for (const auto& [rk, rv] : range)
              if (same_key(rk, k)) return L::ovalue(rv) == v;
            return false;
          }, &before);
          throw;
        }
        for (const auto& [k, v] : range)
          if (!md.find(k)) model_add(md, k, L::ovalue(v));
        check_size(m, md, "after insert(first, last)");
        return;
      }
      case Code::kCopyConstruct: {
        const std::uint32_t d = target_slot(op.code, op.n, cur_);
        charge(m.size());
        slots_[d].map.reset();
        slots_[d].model.clear();
        slots_[d].pins.clear();
        call([&] { slots_[d].map.emplace(*slots_[cur_].map); });
        slots_[d].model = slots_[cur_].model;
        cur_ = d;
        check_size(map(), model(), "copy");
        return;
      }
      case Code::kCopyAssign: {
        const std::uint32_t d = target_slot(op.code, op.n, cur_);
        charge(m.size());
        engage(d);
        Map& dst = *slots_[d].map;
        const Model<L> old_dst = slots_[d].model;
        const Model<L>& src_model = slots_[cur_].model;
        slots_[d].pins.clear();  // its entries are destroyed; the copies are new objects
        try {
          call([&] { dst = m; });
        } catch (...) {
          // The destination may hold a mix of its old entries and the source's.
          resync_after_partial(dst, slots_[d].model, [&](const Key& k, const OValue& v) {
            const OValue* a = old_dst.find(k);
            const OValue* b = src_model.find(k);
            return (a && *a == v) || (b && *b == v);
          }, nullptr);
          throw;
        }
        slots_[d].model = slots_[cur_].model;
        cur_ = d;
        check_size(map(), model(), "copy-assign");
        return;
      }
      case Code::kMoveConstruct: case Code::kMoveAssign: {
        const std::uint32_t d = target_slot(op.code, op.n, cur_);
        const std::uint32_t src = cur_;
        // Rule move-keeps-addresses holds when the storage can be stolen: the
        // allocators propagate or compare equal (on tracked lanes: as the
        // allocator walk says, whatever the maps claim).
        bool steals = true;
        if (op.code == Code::kMoveConstruct) {
          slots_[d].map.reset();
          slots_[d].model.clear();
          call([&] { slots_[d].map.emplace(std::move(*slots_[src].map)); });
        } else {
          engage(d);
          if constexpr (kTracked) steals = walk_.equal(d, src);
          else
            steals = std::allocator_traits<typename L::Alloc>::propagate_on_container_move_assignment::value ||
                     slots_[d].map->get_allocator() == slots_[src].map->get_allocator();
          call([&] { *slots_[d].map = std::move(*slots_[src].map); });
        }
        slots_[d].model = slots_[src].model;
        slots_[d].pins.clear();
        if (steals) std::swap(slots_[d].pins, slots_[src].pins);
        slots_[src].pins.clear();
        slots_[d].promise.reset();
        slots_[src].promise.reset();
        // The moved-from map is valid but unspecified: check it, empty it, keep it.
        Map& old = *slots_[src].map;
        old.check_invariants();
        // Between unequal allocators map.h documents more (operator=(Map&&)):
        // every entry was moved out one by one and the source ends empty.
        if (!steals && !old.empty())
          fail("move assignment between unequal allocators left " + std::to_string(old.size()) +
               " entries in the source (map.h: the source ends empty)");
        call([&] { old.clear(); });
        slots_[src].model.clear();
        check_size(old, slots_[src].model, "moved-from map after clear()");
        cur_ = d;
        check_size(map(), model(), "move");
        return;
      }
      case Code::kSwap: {
        const std::uint32_t d = named_slot(op.n);
        engage(d);
        Map& a = *slots_[cur_].map;
        Map& b = *slots_[d].map;
        if (!skip_.empty()) return;  // unequal allocators (AllocWalk::step): a no-op on both sides
        if (second_variant(op.n)) {
          using std::swap;
          swap(a, b);
        } else {
          a.swap(b);
        }
        if (d != cur_) {
          std::swap(slots_[cur_].model, slots_[d].model);
          std::swap(slots_[cur_].pins, slots_[d].pins);
        }
        slots_[cur_].promise.reset();
        slots_[d].promise.reset();
        check_size(a, slots_[cur_].model, "swap (this map)");
        check_size(b, slots_[d].model, "swap (other map)");
        return;
      }
      case Code::kSelect: {
        const std::uint32_t d = named_slot(op.n);
        engage(d);
        cur_ = d;
        return;
      }
      case Code::kEqual: {
        const std::uint32_t d = named_slot(op.n);
        engage(d);
        Map& a = *slots_[cur_].map;
        Map& b = *slots_[d].map;
        charge(a.size());
        const bool eq = call([&] { return a == b; });
        const bool ne = call([&] { return a != b; });
        if (eq == ne) fail("== and != agree");
        const bool want = slots_[cur_].model.equals(slots_[d].model);
        // A map holding a NaN compared with itself: std says unequal (find
        // fails), a shortcut on identity says equal; both are accepted.
        const bool self_nan = d == cur_ && slots_[cur_].model.has_nan();
        if (eq != want && !self_nan)
          fail(std::string("map == other map returned ") + (eq ? "true" : "false") + ", the oracles say " +
               (want ? "equal" : "different"));
        return;
      }
      case Code::kIterate: {
        charge(m.size());
        absl::flat_hash_set<const void*> seen;  // the oracle's entries matched so far
        typename Model<L>::Matcher matcher(md);
        std::size_t n = 0;
        const Map& cm = m;
        for (const auto& [k, v] : cm) {
          ++n;
          const auto* e = matcher.match(k, L::ovalue(v));
          if (!e) fail("iteration yields " + show_key(k) + " -> " + show_obj(v) + ", which the oracle does not hold");
          if (!(e->second == L::ovalue(v))) fail("iteration yields a stale value for " + show_key(k));
          if (!seen.insert(e).second) fail("iteration yields " + show_key(k) + " twice");
        }
        if (n != md.size())
          fail("iteration yields " + std::to_string(n) + " entries, the oracle holds " + std::to_string(md.size()));
        return;
      }
      case Code::kExtractKey: case Code::kExtractFound: {
        const Key k = key_of(op.key);
        const OValue* want = md.find(k);
        auto found = m.find(k);
        if ((found != m.end()) != (want != nullptr)) fail("find(" + show_key(k) + ") disagrees with the oracle");
        if (!extract_replaces_held(op.code, want != nullptr)) return;  // nothing to extract: the held node stays
        const void* addr = want ? static_cast<const void*>(&found->first) : nullptr;
        const ErasedSlot slot = want ? slot_of(m, k) : ErasedSlot{};
        Node nh = op.code == Code::kExtractKey
                      ? call([&] { return m.extract(k); })
                      : call([&] { return m.extract(typename Map::const_iterator(found)); });
        if (!want) {
          if (!nh.empty()) fail("extract(" + show_key(k) + ") of an absent key returned a non-empty node");
        } else {
          if (nh.empty()) fail("extract(" + show_key(k) + ") of a present key returned an empty node");
          if (!same_key(nh.key(), k)) fail("extract(" + show_key(k) + ") returned the node of " + show_key(nh.key()));
          if (!(L::ovalue(nh.mapped()) == *want))
            fail("extract(" + show_key(k) + ")'s node holds " + show_obj(nh.mapped()) + ", the oracle has " +
                 show_obj(*want));
          if (!(nh.get_allocator() == m.get_allocator())) fail("the extracted node's allocator differs from the map's");
          if constexpr (kTracked) {
            if (nh.get_allocator().identity() != walk_.slot[cur_])
              fail("the extracted node holds allocator " + show_identity(nh.get_allocator().identity()) +
                   ", not a copy of the map's " + show_identity(walk_.slot[cur_]));
            held_alloc_ = walk_.slot[cur_];
          }
          if (kIndirect && static_cast<const void*>(&nh.key()) != addr)
            fail("extract(" + show_key(k) + ") moved the entry: " + rule_message(Rule::kNodeKeepsIndirect));
          check_cleared(m, slot, k);
        }
        held_ = std::move(nh);
        held_addr_ = addr;
        oheld_ = want ? md.extract_id(L::okey(k)) : typename Model<L>::Node();
        check_held("after extract");
        check_key(m, md, k);
        return;
      }
      case Code::kInsertNode: {
        check_held("before insert(node)");
        const Hint h = hint_kind(op.n);
        const char* what = insert_node_form(h);
        auto insert_held = [&](typename Map::iterator& pos, bool& inserted) {
          if (h == Hint::kNone) {
            auto r = call([&] { return m.insert(std::move(held_)); });
            pos = r.position;
            inserted = r.inserted;
            held_ = std::move(r.node);
          } else {
            const typename Map::const_iterator hint = h == Hint::kBegin ? m.cbegin() : m.cend();
            pos = call([&] { return m.insert(hint, std::move(held_)); });
            inserted = held_.empty() && pos != m.end();
          }
        };
        // std requires the node's allocator to equal the map's: otherwise a
        // no-op, the node stays held (trace: "skipped if ...").
        if constexpr (kTracked)
          if (!oheld_.empty() && held_alloc_.id != walk_.slot[cur_].id) return;
        typename Map::iterator pos;
        bool inserted = false;
        if (oheld_.empty()) {
          insert_held(pos, inserted);
          if (pos != m.end() || inserted || !held_.empty())
            fail(std::string(what) + " of an empty node must return end(), inserted=false and an empty node");
          return;
        }
        const Key k = held_.key();
        const OValue v = L::ovalue(held_.mapped());
        const OValue* had = md.find(k);
        const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
        const void* addr = &held_.key();
        insert_held(pos, inserted);
        if (old) {
          if (held_.empty())
            fail(std::string(what) + " of a present key " + show_key(k) +
                 " lost the node (it must come back unchanged, as std and absl do)");
          if (inserted) fail(std::string(what) + " of a present key " + show_key(k) + " reported inserted=true");
          check_result_it(m, pos, k, *old, what);
          check_held(what);
        } else {
          if (!inserted) fail(std::string(what) + " of an absent key " + show_key(k) + " did not insert it");
          check_result_it(m, pos, k, v, what);
          if (kIndirect && static_cast<const void*>(&pos->first) != addr)
            fail(std::string(what) + " moved the node's entry: " + rule_message(Rule::kNodeKeepsIndirect));
          auto r = md.insert_node(std::move(oheld_));
          if (!r.inserted) fail("internal: the oracle did not take the node");
          oheld_ = typename Model<L>::Node();
          held_addr_ = nullptr;
          pin(slots_[cur_], L::okey(k), &*pos);
          check_at_growth_points(m);
        }
        check_key(m, md, k);
        return;
      }
      case Code::kMerge: {
        const std::uint32_t d = named_slot(op.n);
        const bool rvalue = second_variant(op.n);
        engage(d);
        Map& src = *slots_[d].map;
        Model<L>& smd = slots_[d].model;
        if (!skip_.empty()) return;  // unequal allocators (AllocWalk::step): a no-op on both sides
        charge(src.size());
        if (d == cur_) {  // merge with itself: nothing moves (the oracle, absl, does not allow it)
          if (rvalue) call([&] { m.merge(std::move(m)); });
          else call([&] { m.merge(m); });
          check_size(m, md, "after merge with itself");
          return;
        }
        const Model<L> dst_before = md, src_before = smd;
        try {
          if (rvalue) call([&] { m.merge(std::move(src)); });
          else call([&] { m.merge(src); });
        } catch (...) {
          // May stop between entries: each entry in one map or the other,
          // nothing lost, nothing invented, nothing in both that was not.
          auto had = [](const Model<L>& b, const Key& k, const OValue& v) {
            const OValue* w = b.find(k);
            return w && *w == v;
          };
          resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
            return had(dst_before, k, v) || had(src_before, k, v);
          }, &dst_before);
          resync_after_partial(src, smd, [&](const Key& k, const OValue& v) { return had(src_before, k, v); }, nullptr);
          for (const auto& [id, v] : src_before.entries()) {
            const bool in_dst = md.find_id(id) != nullptr, in_src = smd.find_id(id) != nullptr;
            if (!in_dst && !in_src) fail("merge that threw lost " + show_obj(id));
            if (in_dst && in_src && !dst_before.find_id(id)) fail("merge that threw copied " + show_obj(id));
          }
          throw;
        }
        md.merge_from(smd);
        check_size(m, md, "after merge (this map)");
        check_size(src, smd, "after merge (the source)");
        // Every entry of the source is now where merge puts it, and an
        // indirect one kept its object (rule node-keeps-indirect).
        for (const auto& [id, v] : src_before.entries()) {
          const Key k = key_from_id(id);
          if (L::is_nan(k)) continue;
          check_key(m, md, k);
          check_key(src, smd, k);
        }
        std::vector<Pin> stay;
        for (const Pin& p : slots_[d].pins) {
          if (smd.find_id(p.id)) {
            stay.push_back(p);
          } else if (md.find_id(p.id) && !dst_before.find_id(p.id)) {
            const void* a = address_of(m, p.id);
            if (kIndirect && a != p.addr)
              fail("merge moved entry " + show_obj(p.id) + ": " + rule_message(Rule::kNodeKeepsIndirect));
            pin(slots_[cur_], p.id, a);
          }
        }
        slots_[d].pins = std::move(stay);
        return;
      }
      case Code::kIterMutate: iterate_mutate(op); return;
      case Code::kArmFault:
        if constexpr (L::kFaults) Ledger::current().arm(fault_kind(op.n), op.value);
        return;
      case Code::kCheck:
        // Unchanged since its last full check: the same check again finds nothing.
        if (slots_[cur_].unchecked_work == 0) return;
        charge(full_check_cost(m.size()));
        check_full(m, md, "check", &slots_[cur_].pins);
        slots_[cur_].unchecked_work = 0;
        return;
      default: apply_simple(op, nullptr); return;
    }
  }

  // After a throw half way through a range op: the map must be valid and
  // every entry it holds acceptable; with `must_keep`, nothing of it lost.
  // Then the oracle follows the map.
  template <class Acceptable>
  void resync_after_partial(Map& m, Model<L>& md, Acceptable acceptable, const Model<L>* must_keep) {
    m.check_invariants();
    Model<L> now;
    for (auto it = m.begin(); it != m.end(); ++it) {
      const OValue v = L::ovalue(it->second);
      if (!acceptable(it->first, v))
        fail("after a throw the map holds " + show_key(it->first) + " -> " + show_obj(it->second) +
             ", which neither it nor the op's input had");
      now.add(it->first, v);
    }
    if (must_keep)
      for (const auto& [id, v] : must_keep->entries()) {
        const OValue* w = now.find_id(id);
        if (!w || !(*w == v)) fail("after a throw the map lost " + show_obj(id) + " (a throw must lose nothing)");
      }
    md = std::move(now);
  }

  // ---- iteration with mutation -------------------------------------------------
  void iterate_mutate(const Op& op) {
    Map& m = map();
    Model<L>& md = model();
    charge(iteration_cost(m.size(), op.actions.size()));
    Tracker t(md);
    std::size_t yield = 0, next = 0;
    const std::size_t cap = 64 * (md.size() + 1) + 1000000;
    auto it = call([&] { return m.begin(); });
    while (it != m.end()) {
      if (yield > cap) fail("iteration does not end");
      {
        const OValue v = L::ovalue(it->second);
        const std::string err = t.on_yield(md, it->first, v);
        if (!err.empty()) fail("iteration yield #" + std::to_string(yield) + " (" + show_key(it->first) + " -> " +
                               show_obj(it->second) + "): " + err);
      }
      // The entry just yielded, by reference: it stays usable until an action
      // erases it or is allowed to move it and does (a rebuild: contract.h).
      // `dirty`: a table was rebuilt since the yield, so `it` may no longer
      // point into the map's storage (erase_current needs it, and so does
      // assign_current where an entry can move: inline lanes).
      typename Map::value_type* const ref = &*it;
      const bool ref_nan = L::is_nan(ref->first);
      const std::optional<OKey> ref_id = *t.current();
      const void* ref_addr = ref;  // where the entry is now (moves only where allowed)
      bool advanced = false, dirty = false;
      for (; next < op.actions.size() && op.actions[next].at <= yield; ++next) {
        const Op& a = op.actions[next];
        // After `it = m.erase(it)` the iterator already stands on the next
        // entry, which the loop yields next: a mutation in between could
        // remove it under the iterator (a C++ misuse, not a map bug), so the
        // rest of this yield's actions are dropped.
        if (advanced) continue;
        const auto before = before_all();
        const Family f = family(a.code);
        if (a.code == Code::kEraseCurrent || a.code == Code::kAssignCurrent) {
          if (!current_action_runs(a.code, t.current_gone(), dirty, kIndirect)) continue;
          const OKey id = *ref_id;
          if (a.code == Code::kAssignCurrent) {
            const Value v = L::make_value(a.value);
            call([&] { ref->second = v; });
            md.set(id, L::ovalue(v));
          } else {
            const Key k = it->first;
            const ErasedSlot slot = slot_of(m, k);
            it = call([&] { return m.erase(it); });
            check_cleared(m, slot, k);
            md.erase(id);
            t.on_erase(id);
            advanced = true;
          }
          check_size(m, md, name(a.code));
          verify_slot(cur_, f, before[cur_]);
          continue;
        }
        apply_simple(a, &t);
        check_size(m, md, name(a.code));
        verify_slot(cur_, f, before[cur_]);
        if (a.code == Code::kReserve && a.n != kAbsurdSize) start_promise(slots_[cur_], a.n);
        const bool rebuilt = Access::rebuilds(m) != before[cur_].rebuilds;
        if (rebuilt) dirty = true;
        // The current entry itself, pinned or not.
        if (!t.current_gone() && !ref_nan) {
          const void* now = address_of(m, *ref_id);
          if (!now) fail("find(" + show_obj(*ref_id) + ") misses the entry the iteration stands on");
          if (now != ref_addr && !may_move(f, rebuilt, kIndirect))
            fail("moved entry " + show_obj(*ref_id) + " (the iteration's current entry): " +
                 rule_message(move_rule(f, kIndirect)));
          ref_addr = now;
        }
      }
      if (!advanced) call([&] { ++it; });
      ++yield;
    }
    const std::string err = t.finish();
    if (!err.empty()) fail("at the end of the iteration (" + std::to_string(yield) + " yields): " + err);
  }

  // ---- one top-level op --------------------------------------------------
  bool apply(const Op& op) {
    if (!charge(upfront_cost(op))) return false;
    if constexpr (kTracked) skip_ = walk_.step(op);
    const std::size_t work_before = budget_used_;
    const std::uint32_t cur_before = cur_;
    const auto before = before_all();
    bool threw = false;
    if constexpr (L::kFaults) {
      try {
        apply_top(op);
      } catch (const InjectedFault& f) {
        after_fault(f.what());
        threw = true;
      } catch (const InjectedBadAlloc& f) {
        after_fault(f.what());
        threw = true;
      }
    } else {
      apply_top(op);
    }
    verify_op(op, cur_before, before, threw);
    // The slots this op may have changed: the current one before and after
    // it, and the one a slot argument names (a check changes nothing).
    if (op.code != Code::kCheck) {
      const std::size_t work = budget_used_ - work_before + 1;
      slots_[cur_before].unchecked_work += work;
      slots_[cur_].unchecked_work += work;
      const Arg first = info(op.code).args[0];
      if (first == Arg::kSlot || first == Arg::kSlotVariant) slots_[named_slot(op.n)].unchecked_work += work;
    }
    check_size(map(), model(), "after the op");
    check_ledger();
    check_allocs(op.code);
    return true;
  }

  // The address rules for each map a top-level op touched.
  void verify_op(const Op& op, std::uint32_t cur_before, const std::array<Before, kSlots>& b, bool threw) {
    const Family f = family(op.code);
    const std::uint32_t d = named_slot(op.n);
    if (threw && f == Family::kIterMutate) {
      // The action that threw was not judged: take the addresses as they are.
      for (std::uint32_t i = 0; i < kSlots; ++i) verify_slot(i, Family::kFree, b[i], true);
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
        if (op.code == Code::kReserve && op.n != kAbsurdSize && !threw) start_promise(slots_[cur_], op.n);
        return;
    }
  }

  // After an injected throw: every map valid and exactly as the oracle says.
  void after_fault(const char* what) {
    Ledger::current().disarm();
    check_held((std::string("after an injected throw (") + what + ")").c_str());
    for (auto& s : slots_) {
      if (!s.map) {
        s.model.clear();
        continue;
      }
      std::string when = std::string("after an injected throw (") + what + ")";
      check_full(*s.map, s.model, when.c_str());
    }
    if (!slots_[cur_].map) engage(cur_);
  }

  Options opt_;
  std::array<Slot, kSlots> slots_;
  std::uint32_t cur_ = 0;
  const Program* prog_ = nullptr;
  std::size_t op_index_ = 0;
  std::size_t budget_used_ = 0;
  std::size_t erases_ = 0;
  // The node extract_* took and insert_node puts back (into any map).
  Node held_;
  typename Model<L>::Node oheld_;
  const void* held_addr_ = nullptr;  // indirect lanes: its key object's address
  // Tracked lanes: which allocator each map must hold, why the current op is
  // skipped ("" if it runs), the held node's allocator.
  AllocWalk walk_;
  std::string skip_;
  AllocIdentity held_alloc_;
};

}  // namespace swisscheck
