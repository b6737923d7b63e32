// Instrumented key and value types for the fault lane (and for any test that
// wants to count object lifetimes or inject exceptions into a map).
//
// What it gives:
//   * InstrumentedKey / InstrumentedValue: small wrappers around a uint64_t
//     payload that register every construction and destruction with the
//     current Ledger. The ledger keeps the set of live object addresses, so a
//     double destroy, a destroy of never-constructed storage, or a use
//     (hash/equality/copy from) of a destroyed object is recorded as an error
//     instead of passing silently (ASan cannot see a double destroy of an
//     inline slot: the memory is still owned by the map).
//   * InstrumentedHash / InstrumentedEq: the hasher and key_eq a map over
//     InstrumentedKey uses; each call is a "hash" or "equality" fault point.
//   * Copy construction / copy assignment of either type is a "copy" fault
//     point; moves are noexcept and never throw (as the standard containers
//     expect of a well-behaved type).
//   * LedgerAllocator<T>: a rebindable, stateful allocator (state = the
//     Ledger it points to; two allocators compare equal iff they share it)
//     that counts bytes and blocks outstanding in the ledger's AllocTally
//     (check/alloc_tally.h, which also says why bench/ has its own counting
//     allocator); each allocate() is an "allocation" fault point and throws
//     InjectedBadAlloc when armed.
//
// Fault points only count inside a FaultScope, so the test harness can make
// and compare keys freely between map calls without tripping the countdown:
//
//     Ledger& l = Ledger::current();
//     l.arm(Fault::kHash, 3);                 // the 3rd hash from now throws
//     try { FaultScope s(l); m.insert({k, v}); } catch (const InjectedFault&) {}
//
// Errors are recorded (never thrown: destructors must not throw) and read
// with Ledger::errors(); the interpreter checks them after every op.
//
// Invariant a harness can assert after every op (no temporaries alive):
//     ledger.live_keys()   == sum over live maps of size()
//     ledger.live_values() == the same
// which is "no leak, no double destroy, exactly one destroy per erase".
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "check/alloc_tally.h"

namespace swisscheck {

enum class Fault : std::uint8_t { kHash = 0, kEq = 1, kCopy = 2, kAlloc = 3 };
inline constexpr int kFaultKinds = 4;

inline const char* fault_name(Fault f) {
  switch (f) {
    case Fault::kHash: return "hash";
    case Fault::kEq: return "eq";
    case Fault::kCopy: return "copy";
    case Fault::kAlloc: return "alloc";
  }
  return "?";
}

// Thrown at an armed hash, equality or copy fault point.
struct InjectedFault : std::runtime_error {
  explicit InjectedFault(Fault f)
      : std::runtime_error(std::string("injected fault at ") + fault_name(f)),
        kind(f) {}
  Fault kind;
};

// Thrown at an armed allocation fault point; a bad_alloc so that code which
// handles allocation failure specifically sees the usual type.
struct InjectedBadAlloc : std::bad_alloc {
  const char* what() const noexcept override { return "injected fault at alloc"; }
};

// All bookkeeping of one test run. One per thread (Ledger::current()); reset()
// between runs. Holds no pointer into maps, so it can outlive them.
class Ledger {
 public:
  static Ledger& current() {
    thread_local Ledger ledger;
    return ledger;
  }

  // Forget everything (live objects, counters, errors, armed fault). Call it
  // only when no instrumented object is alive, e.g. at the start of a run.
  void reset() {
    live_.clear();
    live_keys_ = live_values_ = 0;
    constructions_ = destructions_ = 0;
    alloc_ = {};
    errors_.clear();
    disarm();
    fired_ = 0;
    scope_depth_ = 0;
    for (auto& c : calls_) c = 0;
  }

  // ---- lifetimes --------------------------------------------------------
  void on_construct(const void* obj, bool is_key) {
    ++constructions_;
    if (!live_.insert(obj).second) error("construction over a live object");
    ++(is_key ? live_keys_ : live_values_);
  }
  void on_destroy(const void* obj, bool is_key) {
    ++destructions_;
    if (live_.erase(obj) == 0) {
      error(is_key ? "destroy of a key that is not alive (double destroy?)"
                   : "destroy of a value that is not alive (double destroy?)");
      return;
    }
    --(is_key ? live_keys_ : live_values_);
  }
  void on_use(const void* obj, const char* what) {
    if (live_.count(obj) == 0) error(std::string("use of a dead object: ") + what);
  }
  std::size_t live_keys() const { return live_keys_; }
  std::size_t live_values() const { return live_values_; }
  std::uint64_t constructions() const { return constructions_; }
  std::uint64_t destructions() const { return destructions_; }

  // ---- allocation accounting -----------------------------------------
  void on_allocate(std::size_t bytes) { alloc_.on_allocate(bytes); }
  void on_deallocate(std::size_t bytes) {
    if (!alloc_.on_deallocate(bytes)) error("deallocate of more than was allocated");
  }
  std::size_t bytes_outstanding() const { return alloc_.live_bytes; }
  std::size_t blocks_outstanding() const { return alloc_.live_blocks; }
  std::uint64_t allocations() const { return alloc_.allocations; }

  // ---- fault injection ------------------------------------------------
  // The nth (1-based) fault point of kind f inside a FaultScope, counted from
  // now, throws; then the ledger is disarmed. nth == 0 disarms.
  void arm(Fault f, std::uint64_t nth) {
    armed_kind_ = f;
    countdown_ = nth;
  }
  void disarm() { countdown_ = 0; }
  bool armed() const { return countdown_ != 0; }
  Fault armed_kind() const { return armed_kind_; }
  std::uint64_t faults_fired() const { return fired_; }
  // Calls of each kind seen inside a scope (handy for "throw at every point").
  std::uint64_t calls(Fault f) const { return calls_[static_cast<int>(f)]; }

  // A fault point. Throws when it is the armed one and a scope is open.
  void point(Fault f) {
    if (scope_depth_ == 0) return;
    ++calls_[static_cast<int>(f)];
    if (countdown_ == 0 || armed_kind_ != f) return;
    if (--countdown_ != 0) return;
    ++fired_;
    if (f == Fault::kAlloc) throw InjectedBadAlloc();
    throw InjectedFault(f);
  }
  bool in_scope() const { return scope_depth_ != 0; }
  void enter_scope() { ++scope_depth_; }
  void leave_scope() { --scope_depth_; }

  // ---- errors ---------------------------------------------------------
  void error(std::string what) { errors_.push_back(std::move(what)); }
  const std::vector<std::string>& errors() const { return errors_; }
  void clear_errors() { errors_.clear(); }

 private:
  std::unordered_set<const void*> live_;
  std::size_t live_keys_ = 0, live_values_ = 0;
  std::uint64_t constructions_ = 0, destructions_ = 0;
  AllocTally alloc_;
  std::vector<std::string> errors_;
  Fault armed_kind_ = Fault::kHash;
  std::uint64_t countdown_ = 0;
  std::uint64_t fired_ = 0;
  int scope_depth_ = 0;
  std::uint64_t calls_[kFaultKinds] = {};
};

// Fault points count only while a FaultScope is open: wrap exactly the map
// call under test.
class FaultScope {
 public:
  explicit FaultScope(Ledger& l = Ledger::current()) : l_(l) { l_.enter_scope(); }
  ~FaultScope() { l_.leave_scope(); }
  FaultScope(const FaultScope&) = delete;
  FaultScope& operator=(const FaultScope&) = delete;

 private:
  Ledger& l_;
};

// Common body of the two instrumented types. Kind selects the ledger counter.
template <bool kIsKey>
class Instrumented {
 public:
  Instrumented() noexcept : payload_(0) { Ledger::current().on_construct(this, kIsKey); }
  explicit Instrumented(std::uint64_t payload) noexcept : payload_(payload) {
    Ledger::current().on_construct(this, kIsKey);
  }
  Instrumented(const Instrumented& o) : payload_(o.checked_payload("copy from")) {
    Ledger::current().point(Fault::kCopy);  // may throw: nothing constructed yet
    Ledger::current().on_construct(this, kIsKey);
  }
  Instrumented(Instrumented&& o) noexcept : payload_(o.checked_payload("move from")) {
    o.moved_from_ = true;
    Ledger::current().on_construct(this, kIsKey);
  }
  Instrumented& operator=(const Instrumented& o) {
    std::uint64_t p = o.checked_payload("copy-assign from");
    Ledger::current().on_use(this, "copy-assign to");
    Ledger::current().point(Fault::kCopy);  // may throw: *this unchanged
    payload_ = p;
    moved_from_ = false;
    return *this;
  }
  Instrumented& operator=(Instrumented&& o) noexcept {
    std::uint64_t p = o.checked_payload("move-assign from");
    Ledger::current().on_use(this, "move-assign to");
    payload_ = p;
    moved_from_ = false;
    o.moved_from_ = true;
    return *this;
  }
  ~Instrumented() {
    Ledger::current().on_destroy(this, kIsKey);
    payload_ = 0xDEADDEADDEADDEADull;  // a later read through a stale pointer shows it
  }

  // The payload, after checking the object is alive and not moved from.
  std::uint64_t payload() const { return checked_payload("read"); }
  // For a harness bump (m[k]++): not a fault point.
  void set_payload(std::uint64_t p) {
    Ledger::current().on_use(this, "write");
    payload_ = p;
    moved_from_ = false;
  }
  bool moved_from() const { return moved_from_; }

 private:
  std::uint64_t checked_payload(const char* what) const {
    Ledger& l = Ledger::current();
    l.on_use(this, what);
    if (moved_from_) l.error(std::string("use of a moved-from object: ") + what);
    return payload_;
  }

  std::uint64_t payload_;
  bool moved_from_ = false;
};

using InstrumentedKey = Instrumented<true>;
using InstrumentedValue = Instrumented<false>;

// Equality is a fault point, whether reached through InstrumentedEq or
// through operator== (so std::equal_to behaves the same).
inline bool operator==(const InstrumentedKey& a, const InstrumentedKey& b) {
  std::uint64_t pa = a.payload(), pb = b.payload();
  Ledger::current().point(Fault::kEq);
  return pa == pb;
}
// Values compare without a fault point: the map never compares values except
// in operator==, which the interpreter calls outside any scope.
inline bool operator==(const InstrumentedValue& a, const InstrumentedValue& b) {
  return a.payload() == b.payload();
}

struct InstrumentedHash {
  std::size_t operator()(const InstrumentedKey& k) const {
    std::uint64_t x = k.payload();
    Ledger::current().point(Fault::kHash);
    // splitmix64 finaliser: a decent hash, deterministic across runs.
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(x ^ (x >> 31));
  }
};

struct InstrumentedEq {
  bool operator()(const InstrumentedKey& a, const InstrumentedKey& b) const { return a == b; }
};

// Stateful, rebindable allocator counting into a Ledger. All maps of a run
// share one ledger, so their allocators compare equal (the map may then
// swap/move storage between them).
template <class T>
class LedgerAllocator {
 public:
  using value_type = T;
  LedgerAllocator() noexcept : ledger_(&Ledger::current()) {}
  explicit LedgerAllocator(Ledger* l) noexcept : ledger_(l) {}
  template <class U>
  LedgerAllocator(const LedgerAllocator<U>& o) noexcept : ledger_(o.ledger()) {}

  T* allocate(std::size_t n) {
    ledger_->point(Fault::kAlloc);  // may throw InjectedBadAlloc
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    T* p = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    ledger_->on_allocate(n * sizeof(T));
    return p;
  }
  void deallocate(T* p, std::size_t n) noexcept {
    ledger_->on_deallocate(n * sizeof(T));
    ::operator delete(p, std::align_val_t(alignof(T)));
  }

  Ledger* ledger() const noexcept { return ledger_; }
  template <class U>
  bool operator==(const LedgerAllocator<U>& o) const noexcept { return ledger_ == o.ledger(); }

 private:
  Ledger* ledger_;
};

}  // namespace swisscheck
