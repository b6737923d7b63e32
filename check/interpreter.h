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

#include "check/instrumented.h"
#include "check/iteration_check.h"
#include "check/lanes.h"
#include "check/model.h"
#include "check/ops.h"
#include "check/trace.h"
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
  struct Slot {
    std::optional<Map> map;
    Model<L> model;
    std::size_t unchecked_work = 0;  // element-steps of ops on it since its last full check
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
  static Key key_of(std::uint32_t i) { return L::make_key(i % L::kIndexLimit); }
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
      slots_[d].map.emplace();
      slots_[d].model.clear();
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
    }
    cur_ = 0;
    budget_used_ = 0;
    erases_ = 0;
    slots_[0].map.emplace();
  }

  void release_all_quietly() {
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
      std::size_t entries = 0;
      for (auto& s : slots_)
        if (s.map) entries += s.map->size();
      if (l.live_keys() != entries || l.live_values() != entries)
        fail("object lifetime: " + std::to_string(l.live_keys()) + " live keys and " +
             std::to_string(l.live_values()) + " live values, but the maps hold " + std::to_string(entries) +
             " entries (leak, double destroy, or not exactly one destroy per erase)");
    }
  }

  // Full contents (iteration, and find() of each entry returns that very
  // entry) and check_invariants().
  void check_full(Map& m, const Model<L>& md, const char* when) {
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
      charge(3 * s.map->size());
      check_full(*s.map, s.model, when);
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
      charge(3 * s.map->size());
      check_full(*s.map, s.model, when);
      s.unchecked_work = 0;
    }
    check_ledger();
  }

  void finish() {
    check_all("final check");
    for (auto& s : slots_) {
      s.map.reset();
      s.model.clear();
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
        if (!old) model_add(md, k, ov);
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
        std::uint32_t n = std::min<std::uint32_t>(op.n, L::kIndexLimit);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t x = (op.key + i) % L::kIndexLimit;
          const Key k = L::make_key(x);
          const bool present = md.find(k) != nullptr;
          bool inserted;
          if (i % 2) {
            inserted = call([&] { return m.try_emplace(k, L::make_value(x & 0xFF)).second; });
          } else {
            typename Map::value_type p(k, L::make_value(x & 0xFF));
            inserted = call([&] { return m.insert(p).second; });
          }
          if (inserted == present)
            fail("insert_many: insert(" + show_key(k) + ") returned inserted=" + (inserted ? "true" : "false"));
          if (inserted) {
            model_add(md, k, L::ovalue(L::make_value(x & 0xFF)));
            check_at_growth_points(m);
          }
        }
        check_size(m, md, "after insert_many");
        return;
      }
      case Code::kEraseMany: {
        std::uint32_t n = std::min<std::uint32_t>(op.n, L::kIndexLimit);
        for (std::uint32_t i = 0; i < n; ++i) {
          const Key k = L::make_key((op.key + i) % L::kIndexLimit);
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
        if (op.n % 3 == 0) {
          typename Map::value_type p(k, v);
          it = call([&] { return m.insert(m.find(k), p); });
        } else if (op.n % 3 == 1) {
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
        const std::size_t n = std::min<std::size_t>(op.n, m.size());
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
        auto pred = [&](const typename Map::value_type& e) { return fingerprint(L::okey(e.first)) % 4 == op.n; };
        std::vector<OKey> doomed;
        for (const auto& [id, v] : md.entries())
          if (fingerprint(id) % 4 == op.n) doomed.push_back(id);
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
        const std::uint32_t n = std::min<std::uint32_t>(op.n, 512);
        const std::uint32_t w = n * 3 / 4 ? n * 3 / 4 : 1;  // the last quarter repeats keys
        std::vector<std::pair<Key, Value>> range;
        range.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t x = (op.key + i % w) % L::kIndexLimit;
          range.emplace_back(L::make_key(x), L::make_value(x & 0xFF));
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
        if (op.code == Code::kMoveConstruct) {
          slots_[d].map.reset();
          slots_[d].model.clear();
          call([&] { slots_[d].map.emplace(std::move(*slots_[src].map)); });
        } else {
          engage(d);
          call([&] { *slots_[d].map = std::move(*slots_[src].map); });
        }
        slots_[d].model = slots_[src].model;
        // The moved-from map is valid but unspecified: check it, empty it, keep it.
        Map& old = *slots_[src].map;
        old.check_invariants();
        call([&] { old.clear(); });
        slots_[src].model.clear();
        check_size(old, slots_[src].model, "moved-from map after clear()");
        cur_ = d;
        check_size(map(), model(), "move");
        return;
      }
      case Code::kSwap: {
        const std::uint32_t d = op.n % kSlots;
        engage(d);
        Map& a = *slots_[cur_].map;
        Map& b = *slots_[d].map;
        if (op.n / kSlots) {
          using std::swap;
          swap(a, b);
        } else {
          a.swap(b);
        }
        if (d != cur_) std::swap(slots_[cur_].model, slots_[d].model);
        check_size(a, slots_[cur_].model, "swap (this map)");
        check_size(b, slots_[d].model, "swap (other map)");
        return;
      }
      case Code::kSelect: {
        const std::uint32_t d = op.n % kSlots;
        engage(d);
        cur_ = d;
        return;
      }
      case Code::kEqual: {
        const std::uint32_t d = op.n % kSlots;
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
      case Code::kIterMutate: iterate_mutate(op); return;
      case Code::kArmFault:
        if constexpr (L::kFaults) Ledger::current().arm(static_cast<Fault>(op.n % 4), op.value);
        return;
      case Code::kCheck:
        // Unchanged since its last full check: the same check again finds nothing.
        if (slots_[cur_].unchecked_work == 0) return;
        charge(3 * m.size());
        check_full(m, md, "check");
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
    charge(2 * m.size() + 16 * op.actions.size());
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
      bool advanced = false, dirty = false;
      for (; next < op.actions.size() && op.actions[next].at <= yield; ++next) {
        const Op& a = op.actions[next];
        // After `it = m.erase(it)` the iterator already stands on the next
        // entry, which the loop yields next: a mutation in between could
        // remove it under the iterator (a C++ misuse, not a map bug), so the
        // rest of this yield's actions are dropped.
        if (advanced) continue;
        if (a.code == Code::kEraseCurrent || a.code == Code::kAssignCurrent) {
          // Only through an iterator nothing has moved under yet, like a loop
          // body that erases or assigns the entry it was just given.
          if (dirty || advanced || t.current_gone()) continue;
          const OKey id = *t.current();
          if (a.code == Code::kAssignCurrent) {
            const Value v = L::make_value(a.value);
            call([&] { it->second = v; });
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
          continue;
        }
        const std::size_t before = m.size();
        apply_simple(a, &t);
        if (m.size() > before || a.code == Code::kReserve || a.code == Code::kClear) dirty = true;
        check_size(m, md, name(a.code));
      }
      if (!advanced) call([&] { ++it; });
      ++yield;
    }
    const std::string err = t.finish();
    if (!err.empty()) fail("at the end of the iteration (" + std::to_string(yield) + " yields): " + err);
  }

  // ---- one top-level op --------------------------------------------------
  bool apply(const Op& op) {
    std::size_t cost = 0;
    if (op.code == Code::kInsertMany || op.code == Code::kEraseMany || op.code == Code::kInsertRange) cost = op.n;
    if (!charge(cost)) return false;
    const std::size_t work_before = budget_used_;
    const std::uint32_t cur_before = cur_;
    if constexpr (L::kFaults) {
      try {
        apply_top(op);
      } catch (const InjectedFault& f) {
        after_fault(f.what());
      } catch (const InjectedBadAlloc& f) {
        after_fault(f.what());
      }
    } else {
      apply_top(op);
    }
    // The slots this op may have changed: the current one before and after
    // it, and the one a slot argument names (a check changes nothing).
    if (op.code != Code::kCheck) {
      const std::size_t work = budget_used_ - work_before + 1;
      slots_[cur_before].unchecked_work += work;
      slots_[cur_].unchecked_work += work;
      const Arg first = info(op.code).args[0];
      if (first == Arg::kSlot || first == Arg::kSlotVariant) slots_[op.n % kSlots].unchecked_work += work;
    }
    check_size(map(), model(), "after the op");
    check_ledger();
    return true;
  }

  // After an injected throw: every map valid and exactly as the oracle says.
  void after_fault(const char* what) {
    Ledger::current().disarm();
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
};

}  // namespace swisscheck
