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
//                      allow, reserve(n)'s promise holds, a one-table map
//                      grows only past half its budget (tombstones alone
//                      rebuild it in place)
//   seeds              every new map: its seed changes how keys 0 and 1's
//                      hashes differ (rule seed-mixes-hashes); clear() and an
//                      erase of the last entry draw a new seed (rule
//                      emptying-redraws-seed)
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
// Several maps (kMapSlots) live at once: copy/move/swap continue on the new map
// while the old ones stay checked. On failure: the op number, what differed
// and the trace; then abort() (fuzzing) or a thrown CheckFailure (props).
//
// This header holds the interpreter's state and its op loop (run, apply, the
// dispatch to one handler per op); the rest, as out-of-class members:
//   check/interpreter/checks.h          the oracle comparison (size, touched
//                                       key, full contents), invariants,
//                                       object lifetimes, allocators, erased
//                                       slots, the held node
//   check/interpreter/address_checks.h  the invalidation contract: pins,
//                                       rebuild rules, reserve's promise
//   check/interpreter/single_map_ops.h  the handlers of ops on the current map
//   check/interpreter/multi_map_ops.h   copy, move, swap, select, ==, merge
//                                       between the maps, and node handles
//                                       (the held node goes into any map)
//   check/interpreter/iterate_mutate.h  iteration with mutation
//   check/interpreter/fault_resync.h    after an injected throw: the checks
//                                       and the oracle following the map
// What each op's fields mean (slots, keys, counts) is check/rules.h.
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
  std::size_t work = 0;  // element-steps charged to the budget (Options::budget)
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
inline std::string show_obj(const BigInstrumentedValue& x) { return "big(" + std::to_string(x.v.payload()) + ")"; }
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
  // Entries behind a pointer (key or value over 128 bytes): never move. From
  // the sizes, as the contract says (contract.h), not from the map's constants.
  static constexpr bool kIndirect = indirect_entry<Key, Value>;
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
        if (!apply(p.ops[i])) break;  // budget spent (before the op, or inside it)
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
    r.work = budget_used_;
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
  // One of the kMapSlots maps the interpreter holds at once (a "map slot",
  // what copy/move/swap/select name), with its oracle and what its checks keep.
  struct HeldMap {
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
  static std::string key_text(const Key& k) { return show_obj(k); }
  static OValue default_ovalue() {
    Value v{};
    return L::ovalue(v);
  }
  static bool same_key(const Key& a, const Key& b) { return L::okey(a) == L::okey(b); }

  Map& map() { return *maps_[cur_].map; }
  Model<L>& model() { return maps_[cur_].model; }
  void engage(std::uint32_t d) {
    if (!maps_[d].map) {
      make_map(d);
      maps_[d].model.clear();
    }
  }
  // Map slot d without a map, and without what belonged to its map: the oracle,
  // the pinned addresses, a reserve(n) promise. Every way a slot loses its map
  // goes through here, so a map made there later (make_map) starts clean even
  // when the op that emptied the slot threw before putting a new one in.
  void empty_slot(std::uint32_t d) {
    maps_[d].map.reset();
    maps_[d].model.clear();
    maps_[d].pins.clear();
    maps_[d].promise.reset();
  }
  // A new empty map in slot d (empty), with the slot's allocator on tracked
  // lanes. The walk already holds that allocator for every slot without a
  // map (after_fault keeps it so), and an op that makes the map (engage)
  // has stepped the walk as if it existed: an assignment that propagates has
  // already given the slot the source's allocator there.
  void make_map(std::uint32_t d) {
    if constexpr (kTracked) {
      maps_[d].map.emplace(typename L::Alloc(slot_identity(d)));
    } else {
      maps_[d].map.emplace();
    }
    check_seed_mixing(*maps_[d].map);
  }
  // Rule seed-mixes-hashes: keys 0 and 1 hash with some XOR difference in
  // one map; a map with another seed must give another (2^-64 by chance).
  // A hash that ignores the seed, or XORs it in after mixing, gives every
  // map the same. (Lanes whose user hash is constant have nothing to mix.)
  void check_seed_mixing(const Map& m) {
    const Key a = L::make_key(0), b = L::make_key(1);
    const std::uint64_t diff = Access::hash(m, a) ^ Access::hash(m, b), seed = Access::seed(m);
    if (diff == 0) return;
    if (mixing_.seen && seed != mixing_.seed && diff == mixing_.diff)
      fail("the map with seed " + std::to_string(seed) + " hashes keys " + key_text(a) + " and " + key_text(b) +
           " with the same XOR difference as the map with seed " + std::to_string(mixing_.seed) + ": " +
           rule_message(Rule::kSeedMixesHashes));
    mixing_ = {true, seed, diff};
  }

  bool charge(std::size_t cost) {
    budget_used_ += cost + 1;
    return budget_used_ <= opt_.budget;
  }

  void begin() {
    if constexpr (L::kFaults) Ledger::current().reset();
    for (std::uint32_t i = 0; i < kMapSlots; ++i) {
      empty_slot(i);
      maps_[i].unchecked_work = 0;
    }
    held_ = Node();
    oheld_ = typename Model<L>::Node();
    cur_ = 0;
    budget_used_ = 0;
    spent_ = false;
    erases_ = 0;
    if constexpr (kTracked) {
      tracked_registry().reset();
      walk_ = alloc_walk<typename L::Alloc>();
      skip_.clear();
    }
    make_map(0);
  }

  void release_all_quietly() {
    held_ = Node();
    for (auto& s : maps_) s.map.reset();
    if constexpr (L::kFaults) Ledger::current().disarm();
  }

  // ---- checks (check/interpreter/checks.h) ----------------------------------
  void check_size(const Map& m, const Model<L>& md, const char* when);
  void check_key(Map& m, const Model<L>& md, const Key& k);
  void check_ledger();
  void check_full(Map& m, const Model<L>& md, const char* when, std::vector<Pin>* pins = nullptr);
  void check_all(const char* when);
  void check_changed(const char* when);
  void finish();
  std::string show_outstanding() const;
  static std::string noexcept_mismatch(Code c);
  void check_allocs(Code c);
  // The slot of a key about to be erased, for the "erase clears the slot"
  // check. TestAccess::slot_is_zero scans every table for the slot, so a big
  // map gets every 16th erase checked.
  struct ErasedSlot {
    const void* slot = nullptr;
    std::size_t tables = 0;
  };
  ErasedSlot table_slot_of(const Map& m, const Key& k);
  void check_cleared(const Map& m, const ErasedSlot& e, const Key& k);
  void check_at_growth_points(const Map& m);
  void check_held(const char* when);
  template <class It>
  void check_result_it(Map& m, It it, const Key& k, const OValue& want, const char* what);

  // ---- the address contract (check/interpreter/address_checks.h) ---------------
  static std::uint64_t rebuilds(const std::optional<Map>& m) { return m ? Access::rebuilds(*m) : 0; }
  // What an op's check needs of each map from before it.
  struct Before {
    std::uint64_t rebuilds = 0;
    std::size_t size = 0;
    std::uint64_t seed = 0;
    std::size_t one_table_capacity = 0;  // Access::one_table_capacity: 0 unless one table past the small map
  };
  static Key key_from_id(const OKey& id);
  const void* address_of(Map& m, const OKey& id);
  std::array<Before, kMapSlots> before_all() const;
  void pin(HeldMap& s, const OKey& id, const void* addr);
  void top_up_pins(HeldMap& s);
  void verify_slot(std::uint32_t i, Family f, const Before& b, bool threw = false);
  void start_promise(HeldMap& s, std::size_t n);
  void verify_op(const Op& op, std::uint32_t cur_before, const std::array<Before, kMapSlots>& b, bool threw);

  // The oracle after the map inserted k (absent before; NaN: always).
  OKey model_add(Model<L>& md, const Key& k, OValue v) { return md.add(k, std::move(v)); }

  // ---- ops on the current map (check/interpreter/single_map_ops.h) -------------
  // One single-key or bulk op on the current map; shared by top-level ops and
  // iteration actions (t != nullptr inside an iteration).
  void apply_action_op(const Op& op, Tracker* t) {
    switch (op.code) {
      case Code::kInsert: case Code::kEmplace: case Code::kTryEmplace: case Code::kInsertOrAssign:
        return op_insert(op);
      case Code::kIndexAssign: case Code::kIndexBump: return op_index(op);
      case Code::kFind: return op_find(op);
      case Code::kEraseKey: return op_erase_key(op, t);
      case Code::kEraseFound: return op_erase_found(op, t);
      case Code::kClear: return op_clear(op, t);
      case Code::kReserve: return op_reserve(op);
      case Code::kInsertMany: return op_insert_many(op);
      case Code::kEraseMany: return op_erase_many(op, t);
      default: fail(std::string("internal: not a simple op: ") + name(op.code));
    }
  }
  // Ops that only run at top level.
  void apply_top_level(const Op& op) {
    switch (op.code) {
      case Code::kInsertHint: return op_insert_hint(op);
      case Code::kContains: case Code::kCount: return op_contains(op);
      case Code::kAt: return op_at(op);
      case Code::kEqualRange: return op_equal_range(op);
      case Code::kEraseRange: return op_erase_range(op);
      case Code::kEraseIf: return op_erase_if(op);
      case Code::kRehash: return op_rehash(op);
      case Code::kInsertRange: return op_insert_range(op);
      case Code::kCopyConstruct: return op_copy_construct(op);
      case Code::kCopyAssign: return op_copy_assign(op);
      case Code::kMoveConstruct: case Code::kMoveAssign: return op_move(op);
      case Code::kSwap: return op_swap(op);
      case Code::kSelect: return op_select(op);
      case Code::kEqual: return op_equal(op);
      case Code::kIterate: return op_iterate();
      case Code::kExtractKey: case Code::kExtractFound: return op_extract(op);
      case Code::kInsertNode: return op_insert_node(op);
      case Code::kMerge: return op_merge(op);
      case Code::kIterMutate: return iterate_mutate(op);
      case Code::kArmFault: return op_arm_fault(op);
      case Code::kCheck: return op_check();
      default: return apply_action_op(op, nullptr);
    }
  }
  void op_insert(const Op& op);
  void op_index(const Op& op);
  void op_find(const Op& op);
  void op_erase_key(const Op& op, Tracker* t);
  void op_erase_found(const Op& op, Tracker* t);
  void op_clear(const Op& op, Tracker* t);
  void op_reserve(const Op& op);
  void op_insert_many(const Op& op);
  void op_erase_many(const Op& op, Tracker* t);
  void op_insert_hint(const Op& op);
  void op_contains(const Op& op);
  void op_at(const Op& op);
  void op_equal_range(const Op& op);
  void op_erase_range(const Op& op);
  void op_erase_if(const Op& op);
  void op_insert_range(const Op& op);
  void op_iterate();
  void op_rehash(const Op& op);
  void op_arm_fault(const Op& op);
  void op_check();

  // ---- ops between the maps (check/interpreter/multi_map_ops.h) -----------------
  void op_copy_construct(const Op& op);
  void op_copy_assign(const Op& op);
  void op_move(const Op& op);
  void op_swap(const Op& op);
  void op_select(const Op& op);
  void op_equal(const Op& op);
  void op_merge(const Op& op);
  void op_extract(const Op& op);
  void op_insert_node(const Op& op);

  // ---- iteration with mutation (check/interpreter/iterate_mutate.h) ---------------
  void iterate_mutate(const Op& op);

  // ---- after a throw (check/interpreter/fault_resync.h) ------------------------------
  template <class Acceptable>
  void resync_after_partial(Map& m, Model<L>& md, Acceptable acceptable, const Model<L>* must_keep);
  void after_fault(const char* what);

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
        apply_top_level(op);
      } catch (const InjectedFault& f) {
        after_fault(f.what());
        threw = true;
      } catch (const InjectedBadAlloc& f) {
        after_fault(f.what());
        threw = true;
      }
    } else {
      apply_top_level(op);
    }
    verify_op(op, cur_before, before, threw);
    // The slots this op may have changed: the current one before and after
    // it, and the one a slot argument names (a check changes nothing).
    if (op.code != Code::kCheck) {
      const std::size_t work = budget_used_ - work_before + 1;
      maps_[cur_before].unchecked_work += work;
      maps_[cur_].unchecked_work += work;
      const Arg first = info(op.code).args[0];
      if (first == Arg::kMapSlot || first == Arg::kMapSlotVariant) maps_[named_slot(op.n)].unchecked_work += work;
    }
    check_size(map(), model(), "after the op");
    check_ledger();
    check_allocs(op.code);
    return !spent_;  // an iteration stopped half way: the op did not run whole
  }

  Options opt_;
  std::array<HeldMap, kMapSlots> maps_;
  std::uint32_t cur_ = 0;
  const Program* prog_ = nullptr;
  std::size_t op_index_ = 0;
  std::size_t budget_used_ = 0;
  // The budget ran out inside an op (a bulk action of iterate_mutate): the
  // op stopped there and the run ends after it.
  bool spent_ = false;
  // The last new map's seed and hash difference (check_seed_mixing).
  struct Mixing {
    bool seen = false;
    std::uint64_t seed = 0, diff = 0;
  } mixing_;
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

#include "check/interpreter/address_checks.h"
#include "check/interpreter/checks.h"
#include "check/interpreter/fault_resync.h"
#include "check/interpreter/iterate_mutate.h"
#include "check/interpreter/multi_map_ops.h"
#include "check/interpreter/single_map_ops.h"
