// Lanes: the key/value types a map is checked with, as types (never copied
// files). Every lane provides:
//
//   kName, Key, Value, Hasher, KeyEq, Alloc    the map under test's parameters
//   OKey, OValue, OHash                         the oracle's (absl) types
//   make_key(i), make_value(j)                  index -> object (deterministic)
//   okey(k), ovalue(v)                          object -> oracle identity / value
//   bump(Value&), obump(OValue)                 what m[k]++ does
//   kHasNaN, is_nan(k)                          keys not equal to themselves
//   kFaults                                     the fault lane (instrumented.h)
//   kIndexLimit                                 key index i is taken mod this
//                                               (degenerate hashes stay bounded)
//   show_key(i), show_value(j)                  readable text for traces
//   cpp_key(i), cpp_value(j), kCppMap           C++ text for replay snippets
#pragma once

#include <absl/hash/hash.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "check/instrumented.h"
#include "check/test_types.h"
#include "check/tracked_alloc.h"
#include "swiss/hash.h"

namespace swisscheck {

inline std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Defaults shared by the lanes whose oracle types equal their own.
template <class K, class V>
struct LaneBase {
  using Key = K;
  using Value = V;
  using KeyEq = std::equal_to<K>;
  using Alloc = std::allocator<std::pair<const K, V>>;
  static constexpr bool kHasNaN = false;
  static constexpr bool kFaults = false;
  static constexpr std::uint32_t kIndexLimit = 1u << 20;
  static bool is_nan(const K&) { return false; }
};

// ---- u64 ------------------------------------------------------------------
struct U64Lane : LaneBase<std::uint64_t, std::uint64_t> {
  static constexpr const char* kCppLane = "swisscheck::U64Lane";
  static constexpr const char* kName = "u64";
  static constexpr const char* kCppMap = "swiss::Map<std::uint64_t, std::uint64_t>";
  using Hasher = swiss::Hash<std::uint64_t>;
  using OKey = std::uint64_t;
  using OValue = std::uint64_t;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return i; }
  static Value make_value(std::uint32_t j) { return 1000 + j; }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { ++v; }
  static OValue obump(OValue v) { return v + 1; }
  static std::string show_key(std::uint32_t i) { return std::to_string(make_key(i)); }
  static std::string show_value(std::uint32_t j) { return std::to_string(make_value(j)); }
  static std::string cpp_key(std::uint32_t i) { return std::to_string(make_key(i)) + "u"; }
  static std::string cpp_value(std::uint32_t j) { return std::to_string(make_value(j)) + "u"; }
};

// ---- u64 with degenerate hashes ---------------------------------------------
// Every key hashes alike: the longest probe sequences there are. The map
// mixes its seed into the user hash, which cannot separate equal hashes, so a
// table can never split them apart: the index limit keeps the entries within
// one full table (1024 * 7/8 = 896). ConstantHash: check/test_types.h.
struct ConstHashLane : U64Lane {
  static constexpr const char* kCppLane = "swisscheck::ConstHashLane";
  static constexpr const char* kName = "u64_const_hash";
  static constexpr const char* kCppMap =
      "swiss::Map<std::uint64_t, std::uint64_t, swisscheck::ConstantHash>";
  using Hasher = ConstantHash;
  static constexpr std::uint32_t kIndexLimit = 700;
};

// Four hash values: long probes, and splits that separate only whole classes.
struct FewValuedHash {
  std::size_t operator()(std::uint64_t k) const { return (k % 4) * 0x9E3779B97F4A7C15ull; }
};
struct FewHashLane : U64Lane {
  static constexpr const char* kCppLane = "swisscheck::FewHashLane";
  static constexpr const char* kName = "u64_few_hash";
  static constexpr const char* kCppMap =
      "swiss::Map<std::uint64_t, std::uint64_t, swisscheck::FewValuedHash>";
  using Hasher = FewValuedHash;
  static constexpr std::uint32_t kIndexLimit = 2400;  // 600 keys per hash value
};

// ---- std::string ------------------------------------------------------------
// Lengths vary from 1 to ~40 so both the small-string buffer and heap strings
// are stored, moved and destroyed by the map.
struct StringLane : LaneBase<std::string, std::string> {
  static constexpr const char* kCppLane = "swisscheck::StringLane";
  static constexpr const char* kName = "string";
  static constexpr const char* kCppMap = "swiss::Map<std::string, std::string>";
  using Hasher = swiss::Hash<std::string>;
  using OKey = std::string;
  using OValue = std::string;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return std::to_string(i) + std::string((i % 5) * 9, 'k'); }
  static Value make_value(std::uint32_t j) { return "v" + std::to_string(j) + std::string((j % 3) * 12, 'v'); }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { v += '+'; }
  static OValue obump(OValue v) { return v + '+'; }
  static std::string show_key(std::uint32_t i) { return '"' + make_key(i) + '"'; }
  static std::string show_value(std::uint32_t j) { return '"' + make_value(j) + '"'; }
  static std::string cpp_key(std::uint32_t i) { return "std::string(" + show_key(i) + ")"; }
  static std::string cpp_value(std::uint32_t j) { return "std::string(" + show_value(j) + ")"; }
};

// ---- u64 -> std::string --------------------------------------------------------
// A trivially destructible key with a value that owns memory: the only lane
// where code that decides how to destroy, move or clear an entry by looking
// at the key's type alone (not the pair's) goes wrong visibly, as a leak or a
// double free of the value's heap buffer. Values reuse StringLane's, short
// (in the small-string buffer) and long (on the heap).
struct U64StringLane : LaneBase<std::uint64_t, std::string> {
  static constexpr const char* kCppLane = "swisscheck::U64StringLane";
  static constexpr const char* kName = "u64_string";
  static constexpr const char* kCppMap = "swiss::Map<std::uint64_t, std::string>";
  using Hasher = swiss::Hash<std::uint64_t>;
  using OKey = std::uint64_t;
  using OValue = std::string;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return U64Lane::make_key(i); }
  static Value make_value(std::uint32_t j) { return StringLane::make_value(j); }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { StringLane::bump(v); }
  static OValue obump(OValue v) { return StringLane::obump(std::move(v)); }
  static std::string show_key(std::uint32_t i) { return U64Lane::show_key(i); }
  static std::string show_value(std::uint32_t j) { return StringLane::show_value(j); }
  static std::string cpp_key(std::uint32_t i) { return U64Lane::cpp_key(i); }
  static std::string cpp_value(std::uint32_t j) { return StringLane::cpp_value(j); }
};

// ---- keys and values over 128 bytes: stored indirectly -----------------------
template <std::size_t kWords>
struct BigPod {
  std::array<std::uint64_t, kWords> w{};
  static BigPod from(std::uint64_t seed) {
    BigPod b;
    b.w[0] = seed;
    for (std::size_t i = 1; i < kWords; ++i) b.w[i] = splitmix(seed * 31 + i);
    return b;
  }
  bool operator==(const BigPod&) const = default;
  template <class H>
  friend H AbslHashValue(H h, const BigPod& b) {
    return H::combine_contiguous(std::move(h), b.w.data(), b.w.size());
  }
};
using BigKey = BigPod<18>;    // 144 bytes
using BigValue = BigPod<20>;  // 160 bytes
static_assert(sizeof(BigKey) > 128 && sizeof(BigValue) > 128);

struct BigKeyHash {
  std::size_t operator()(const BigKey& k) const {
    std::uint64_t h = 0;
    for (std::uint64_t x : k.w) h = splitmix(h ^ x);
    return h;
  }
};
struct IndirectLane : LaneBase<BigKey, BigValue> {
  static constexpr const char* kCppLane = "swisscheck::IndirectLane";
  static constexpr const char* kName = "indirect";
  static constexpr const char* kCppMap =
      "swiss::Map<swisscheck::BigKey, swisscheck::BigValue, swisscheck::BigKeyHash>";
  using Hasher = BigKeyHash;
  using OKey = BigKey;
  using OValue = BigValue;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return BigKey::from(i); }
  static Value make_value(std::uint32_t j) { return BigValue::from(1000 + j); }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { ++v.w[0]; ++v.w[19]; }
  static OValue obump(OValue v) { bump(v); return v; }
  static std::string show_key(std::uint32_t i) { return "big(" + std::to_string(i) + ")"; }
  static std::string show_value(std::uint32_t j) { return "big(" + std::to_string(1000 + j) + ")"; }
  static std::string cpp_key(std::uint32_t i) { return "swisscheck::BigKey::from(" + std::to_string(i) + ")"; }
  static std::string cpp_value(std::uint32_t j) {
    return "swisscheck::BigValue::from(" + std::to_string(1000 + j) + ")";
  }
};

// ---- a key over 128 bytes with a small value: indirect through its key ----------
// The indirect lane is indirect through its value as well, so only this lane
// shows a map that looks at the value's size alone: a 144-byte key stored
// inline moves at every growth (kIndirectNeverMoves, check/contract.h).
struct BigKeyLane : LaneBase<BigKey, std::uint64_t> {
  static constexpr const char* kCppLane = "swisscheck::BigKeyLane";
  static constexpr const char* kName = "big_key";
  static constexpr const char* kCppMap = "swiss::Map<swisscheck::BigKey, std::uint64_t, swisscheck::BigKeyHash>";
  using Hasher = BigKeyHash;
  using OKey = BigKey;
  using OValue = std::uint64_t;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return IndirectLane::make_key(i); }
  static Value make_value(std::uint32_t j) { return U64Lane::make_value(j); }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { ++v; }
  static OValue obump(OValue v) { return v + 1; }
  static std::string show_key(std::uint32_t i) { return IndirectLane::show_key(i); }
  static std::string show_value(std::uint32_t j) { return U64Lane::show_value(j); }
  static std::string cpp_key(std::uint32_t i) { return IndirectLane::cpp_key(i); }
  static std::string cpp_value(std::uint32_t j) { return U64Lane::cpp_value(j); }
};
static_assert(sizeof(BigKeyLane::Key) > 128 && sizeof(BigKeyLane::Value) <= 128);

// ---- a stateful allocator that does not propagate ------------------------------
// Every map of the interpreter gets its own TrackedAlloc (check/tracked_alloc.h:
// maps 0 and 1 share a resource, map 2 has another, copies get the default
// one), so copy assignment, move assignment and swap between maps meet
// unequal allocators and std's rules decide what each map holds after them.
// The values are over 128 bytes, so every entry is a block of the map's
// allocator too: a move between unequal allocators must rebuild each entry
// with the target's allocator, and a stolen entry freed by the wrong one is
// reported. Counted per resource: nothing may be outstanding at the end.
struct StatefulAllocLane : LaneBase<std::uint64_t, BigValue> {
  static constexpr const char* kCppLane = "swisscheck::StatefulAllocLane";
  static constexpr const char* kName = "stateful_alloc";
  static constexpr const char* kCppMap =
      "swiss::Map<std::uint64_t, swisscheck::BigValue, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>, "
      "swisscheck::TrackedAlloc<std::pair<const std::uint64_t, swisscheck::BigValue>>>";
  using Hasher = swiss::Hash<std::uint64_t>;
  using Alloc = TrackedAlloc<std::pair<const std::uint64_t, BigValue>>;
  using OKey = std::uint64_t;
  using OValue = BigValue;
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return i; }
  static Value make_value(std::uint32_t j) { return BigValue::from(1000 + j); }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { ++v.w[0]; ++v.w[19]; }
  static OValue obump(OValue v) { bump(v); return v; }
  static std::string show_key(std::uint32_t i) { return std::to_string(i); }
  static std::string show_value(std::uint32_t j) { return "big(" + std::to_string(1000 + j) + ")"; }
  static std::string cpp_key(std::uint32_t i) { return std::to_string(i) + "u"; }
  static std::string cpp_value(std::uint32_t j) {
    return "swisscheck::BigValue::from(" + std::to_string(1000 + j) + ")";
  }
};

// ---- double keys: NaN, -0.0 and +0.0 ----------------------------------------
// Index i % 16 == 15 is a NaN with one of four bit patterns (so the same NaN
// is inserted again and again, and so are different NaNs); i % 16 == 14 is
// +0.0 or -0.0 (one key); the rest are ordinary.
//
// Oracle identity: ordinary keys by their bits (zero folded to +0.0, serial
// 0); each NaN entry gets a fresh serial when inserted, because every insert
// of a NaN adds an entry. The interpreter matches a NaN the map yields to an
// oracle NaN entry with the same bits and value.
struct DoubleKeyId {
  std::uint64_t bits = 0;
  std::uint64_t serial = 0;  // 0 for ordinary keys
  bool operator==(const DoubleKeyId&) const = default;
  template <class H>
  friend H AbslHashValue(H h, const DoubleKeyId& k) {
    return H::combine(std::move(h), k.bits, k.serial);
  }
};
struct DoubleLane : LaneBase<double, std::uint64_t> {
  static constexpr const char* kCppLane = "swisscheck::DoubleLane";
  static constexpr const char* kName = "double";
  static constexpr const char* kCppMap = "swiss::Map<double, std::uint64_t>";
  static constexpr bool kHasNaN = true;
  using Hasher = swiss::Hash<double>;
  using OKey = DoubleKeyId;
  using OValue = std::uint64_t;
  using OHash = absl::Hash<OKey>;
  static constexpr std::uint64_t kNaNBits[4] = {0x7FF8000000000000ull, 0x7FF8000000000001ull,
                                                0x7FFC00000000BEEFull, 0xFFF8000000000000ull};
  static Key make_key(std::uint32_t i) {
    switch (i % 16) {
      case 15: return std::bit_cast<double>(kNaNBits[(i / 16) % 4]);
      case 14: return (i / 16) % 2 ? -0.0 : 0.0;
      default: return static_cast<double>(i) * 0.75 - 3.0;
    }
  }
  static Value make_value(std::uint32_t j) { return 1000 + j; }
  static bool is_nan(const Key& k) { return k != k; }
  static OKey okey(const Key& k) {  // for NaN: bits with serial 0 (matched later)
    return {k == 0.0 ? 0 : std::bit_cast<std::uint64_t>(k), 0};
  }
  static OValue ovalue(const Value& v) { return v; }
  static void bump(Value& v) { ++v; }
  static OValue obump(OValue v) { return v + 1; }
  static std::string show_key(std::uint32_t i) {
    switch (i % 16) {
      case 15: {
        static const char* names[4] = {"NaN", "NaN(0x1)", "NaN(0x4000000000beef)", "-NaN"};
        return names[(i / 16) % 4];
      }
      case 14: return (i / 16) % 2 ? "-0.0" : "+0.0";
      default: {
        std::string s = std::to_string(make_key(i));
        return s;
      }
    }
  }
  static std::string show_value(std::uint32_t j) { return std::to_string(make_value(j)); }
  static std::string cpp_key(std::uint32_t i) {
    if (i % 16 == 15 || i % 16 == 14) return "swisscheck::DoubleLane::make_key(" + std::to_string(i) + ") /*" + show_key(i) + "*/";
    return show_key(i);
  }
  static std::string cpp_value(std::uint32_t j) { return std::to_string(make_value(j)) + "u"; }
};

// ---- zero-size values (Empty: check/test_types.h) ------------------------------
// A set built on the map: StringLane's keys (in the small-string buffer and on
// the heap) with an empty value, so the pair is not trivially copyable while
// the value is: code that picks how to move or destroy an entry by the value's
// type alone (not the pair's) bit-copies the keys, and a short key then points
// into its old slot's buffer after growth.
struct EmptyValueLane : LaneBase<std::string, Empty> {
  static constexpr const char* kCppLane = "swisscheck::EmptyValueLane";
  static constexpr const char* kName = "empty_value";
  static constexpr const char* kCppMap = "swiss::Map<std::string, swisscheck::Empty>";
  using Hasher = swiss::Hash<std::string>;
  using OKey = std::string;
  using OValue = std::uint8_t;  // always 0: there is nothing to compare but presence
  using OHash = absl::Hash<OKey>;
  static Key make_key(std::uint32_t i) { return StringLane::make_key(i); }
  static Value make_value(std::uint32_t) { return {}; }
  static OKey okey(const Key& k) { return k; }
  static OValue ovalue(const Value&) { return 0; }
  static void bump(Value&) {}
  static OValue obump(OValue v) { return v; }
  static std::string show_key(std::uint32_t i) { return StringLane::show_key(i); }
  static std::string show_value(std::uint32_t) { return "{}"; }
  static std::string cpp_key(std::uint32_t i) { return StringLane::cpp_key(i); }
  static std::string cpp_value(std::uint32_t) { return "swisscheck::Empty{}"; }
};
static_assert(!std::is_trivially_copyable_v<std::pair<const EmptyValueLane::Key, EmptyValueLane::Value>> &&
              std::is_trivially_copyable_v<EmptyValueLane::Value>);

// ---- fingerprints: a deterministic number per oracle identity ------------------
// erase_if's predicate keeps or drops a key by fingerprint % 4; it must not
// depend on a per-process seed (absl::Hash), or inputs would not replay.
inline std::uint64_t fingerprint(std::uint64_t k) { return splitmix(k); }
inline std::uint64_t fingerprint(const std::string& s) {
  std::uint64_t h = s.size();
  for (unsigned char c : s) h = h * 131 + c;
  return splitmix(h);
}
inline std::uint64_t fingerprint(const BigKey& k) { return splitmix(k.w[0] ^ k.w[17]); }
inline std::uint64_t fingerprint(const DoubleKeyId& k) { return splitmix(k.bits); }

// ---- instrumented types with fault injection ---------------------------------
struct InstrumentedLane {
  static constexpr const char* kCppLane = "swisscheck::InstrumentedLane";
  static constexpr const char* kName = "instrumented";
  static constexpr const char* kCppMap =
      "swiss::Map<swisscheck::InstrumentedKey, swisscheck::InstrumentedValue, "
      "swisscheck::InstrumentedHash, swisscheck::InstrumentedEq, "
      "swisscheck::LedgerAllocator<std::pair<const swisscheck::InstrumentedKey, "
      "swisscheck::InstrumentedValue>>>";
  using Key = InstrumentedKey;
  using Value = InstrumentedValue;
  using Hasher = InstrumentedHash;
  using KeyEq = InstrumentedEq;
  using Alloc = LedgerAllocator<std::pair<const Key, Value>>;
  using OKey = std::uint64_t;
  using OValue = std::uint64_t;
  using OHash = absl::Hash<OKey>;
  static constexpr bool kHasNaN = false;
  static constexpr bool kFaults = true;
  static constexpr std::uint32_t kIndexLimit = 1u << 20;
  static bool is_nan(const Key&) { return false; }
  static Key make_key(std::uint32_t i) { return Key(i); }
  static Value make_value(std::uint32_t j) { return Value(1000 + j); }
  static OKey okey(const Key& k) { return k.payload(); }
  static OValue ovalue(const Value& v) { return v.payload(); }
  static void bump(Value& v) { v.set_payload(v.payload() + 1); }
  static OValue obump(OValue v) { return v + 1; }
  static std::string show_key(std::uint32_t i) { return std::to_string(i); }
  static std::string show_value(std::uint32_t j) { return std::to_string(1000 + j); }
  static std::string cpp_key(std::uint32_t i) { return "swisscheck::InstrumentedKey(" + std::to_string(i) + ")"; }
  static std::string cpp_value(std::uint32_t j) {
    return "swisscheck::InstrumentedValue(" + std::to_string(1000 + j) + ")";
  }
};

// ---- instrumented entries over 128 bytes: throws while building an indirect entry ----
// InstrumentedLane's key with a value over 128 bytes, so every entry lives
// behind a pointer (a node of the map's allocator) and its construction can
// throw (InstrumentedValue's copy is a fault point): a throw between
// allocating the node and finishing the entry must free the node and leave
// no object behind. The instrumented lane's entries are inline and the
// indirect lane never throws, so neither reaches that path.
struct BigInstrumentedValue {
  InstrumentedValue v;
  std::array<std::uint64_t, 17> pad{};
  BigInstrumentedValue() = default;
  explicit BigInstrumentedValue(std::uint64_t payload) : v(payload) {}
  friend bool operator==(const BigInstrumentedValue& a, const BigInstrumentedValue& b) { return a.v == b.v; }
};
static_assert(sizeof(BigInstrumentedValue) > 128);

struct InstrumentedIndirectLane : InstrumentedLane {
  static constexpr const char* kCppLane = "swisscheck::InstrumentedIndirectLane";
  static constexpr const char* kName = "instrumented_indirect";
  static constexpr const char* kCppMap =
      "swiss::Map<swisscheck::InstrumentedKey, swisscheck::BigInstrumentedValue, "
      "swisscheck::InstrumentedHash, swisscheck::InstrumentedEq, "
      "swisscheck::LedgerAllocator<std::pair<const swisscheck::InstrumentedKey, "
      "swisscheck::BigInstrumentedValue>>>";
  using Value = BigInstrumentedValue;
  using Alloc = LedgerAllocator<std::pair<const Key, Value>>;
  static Value make_value(std::uint32_t j) { return Value(1000 + j); }
  static OValue ovalue(const Value& v) { return v.v.payload(); }
  static void bump(Value& v) { v.v.set_payload(v.v.payload() + 1); }
  static std::string cpp_value(std::uint32_t j) {
    return "swisscheck::BigInstrumentedValue(" + std::to_string(1000 + j) + ")";
  }
};

// ---- instrumented entries whose move may throw, with propagating allocators ----
// InstrumentedLane's key with a value whose move constructor is not
// noexcept (it never throws; only declaring it so matters): the map cannot
// relocate such an entry without risking a half-moved table, so growth
// copies every entry (slot.h kNothrowRelocate, growth.h kCopyOnTransfer) and
// destroys the originals only once every copy stands. Copies are "copy"
// fault points, so a fault armed at the k-th copy of a growing insert throws
// in the middle of that copy: the lifetime census (live objects == entries)
// and the oracle see copies leaked or originals destroyed early. The other
// instrumented lanes' entries move nothrow or live behind pointers, so their
// growth never copies.
//
// The allocator is a TrackedAlloc (check/tracked_alloc.h) whose
// propagate_on_container_move_assignment is true and _swap false (copy
// assignment: false): move assignment gives the target the source's
// allocator, swap leaves each map its own, so a map that decides one by the
// other's trait holds the wrong allocator after the op (get_allocator()
// against the allocator walk) or frees through the wrong resource. The
// stateful_alloc lane's traits are all false, so it cannot tell them apart.
// TrackedAlloc has no allocation fault point: an armed "alloc" fault never
// fires here (the instrumented lane has them).
struct ThrowingMoveValue {
  InstrumentedValue v;
  ThrowingMoveValue() = default;
  explicit ThrowingMoveValue(std::uint64_t payload) : v(payload) {}
  ThrowingMoveValue(const ThrowingMoveValue&) = default;
  ThrowingMoveValue(ThrowingMoveValue&& o) noexcept(false) : v(std::move(o.v)) {}
  ThrowingMoveValue& operator=(const ThrowingMoveValue&) = default;
  ThrowingMoveValue& operator=(ThrowingMoveValue&& o) noexcept(false) {
    v = std::move(o.v);
    return *this;
  }
  friend bool operator==(const ThrowingMoveValue& a, const ThrowingMoveValue& b) { return a.v == b.v; }
};
static_assert(!std::is_nothrow_move_constructible_v<ThrowingMoveValue> &&
              std::is_copy_constructible_v<ThrowingMoveValue>);
inline std::string show_obj(const ThrowingMoveValue& x) { return std::to_string(x.v.payload()); }

// Propagates on move assignment, not on copy assignment nor swap.
using MovePropagation = Propagation<false, true, false>;

struct InstrumentedTrackedLane : InstrumentedLane {
  static constexpr const char* kCppLane = "swisscheck::InstrumentedTrackedLane";
  static constexpr const char* kName = "instrumented_tracked";
  static constexpr const char* kCppMap =
      "swiss::Map<swisscheck::InstrumentedKey, swisscheck::ThrowingMoveValue, "
      "swisscheck::InstrumentedHash, swisscheck::InstrumentedEq, "
      "swisscheck::TrackedAlloc<std::pair<const swisscheck::InstrumentedKey, "
      "swisscheck::ThrowingMoveValue>, swisscheck::MovePropagation>>";
  using Value = ThrowingMoveValue;
  using Alloc = TrackedAlloc<std::pair<const Key, Value>, MovePropagation>;
  static Value make_value(std::uint32_t j) { return Value(1000 + j); }
  static OValue ovalue(const Value& v) { return v.v.payload(); }
  static void bump(Value& v) { v.v.set_payload(v.v.payload() + 1); }
  static std::string cpp_value(std::uint32_t j) {
    return "swisscheck::ThrowingMoveValue(" + std::to_string(1000 + j) + ")";
  }
};

}  // namespace swisscheck
