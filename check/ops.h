// The op language: one list of operations that every front end produces
// (libFuzzer bytes through decode.h, RapidCheck generators, regression files)
// and the interpreter applies to swiss::Map and to the oracle.
//
// An op names keys and values by small indices; a lane (lanes.h) turns an
// index into a real key or value. That keeps the language lane-independent,
// keeps key spaces small (most ops hit), and lets a trace print either the
// index or the lane's value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace swisscheck {

enum class Code : std::uint8_t {
  // single-key mutations
  kInsert, kEmplace, kTryEmplace, kInsertOrAssign, kIndexAssign, kIndexBump,
  kInsertHint,
  // lookups
  kFind, kContains, kCount, kAt, kEqualRange,
  // erasure
  kEraseKey, kEraseFound, kEraseRange, kEraseIf, kClear,
  // capacity
  kReserve, kRehash,
  // bulk (reach tables, splits, global depth >= 3 within few ops)
  kInsertMany, kEraseMany, kInsertRange,
  // several maps
  kCopyConstruct, kCopyAssign, kMoveConstruct, kMoveAssign, kSwap, kSelect, kEqual,
  // iteration
  kIterate, kIterMutate,
  // harness
  kArmFault, kCheck,
  // node handles (appended: the codes above keep their opcode bytes)
  kExtractKey, kExtractFound, kInsertNode, kMerge,
  // only inside an iteration with mutation
  kEraseCurrent, kAssignCurrent,
};
inline constexpr int kNumCodes = static_cast<int>(Code::kAssignCurrent) + 1;
// Codes a top-level opcode byte can name (byte % kNumTopLevel): a top-level
// code's byte is its enum value. New codes are appended before the
// iteration-only ones, so every older code keeps its byte; corpus files
// written when there were 33 codes were migrated (bytes >= 33 rewritten to
// byte % 33) when the node-handle ops came.
inline constexpr int kNumTopLevel = static_cast<int>(Code::kMerge) + 1;
static_assert(kNumTopLevel == 37);

// How an argument is read from a byte and which Op field it fills.
enum class Arg : std::uint8_t {
  kNone,
  kKey,         // key: 1 byte (key space <= 256) or 2 bytes little endian, mod key space
  kValue,       // value: 1 byte, 0..255
  kCount,       // n: 1 byte through count_from_byte (0..8184)
  kSize,        // n: like kCount, but byte 255 means kAbsurdSize
  kMapSlot,        // n: byte % kMapSlots
  kMapSlotVariant, // n: byte % (2 * kMapSlots): slot = n % kMapSlots, variant = n / kMapSlots
  kResidue,     // n: byte % 4
  kFaultKind,   // n: byte % 4 (Fault)
  kNth,         // value: 1 + byte % 64
  kSmall,       // n: byte % 16
  kHintKind,    // n: byte % 3
};
// insert_node's kHintKind: 0 insert(node), 1 insert(begin(), node), 2 insert(end(), node).
// merge's kMapSlotVariant: variant 0 merge(map), 1 merge(std::move(map)), into the current map.

inline constexpr std::uint32_t kMapSlots = 3;  // maps alive at once (map slots 0..2)
inline constexpr std::uint32_t kAbsurdSize = 0xFFFFFFFFu;  // reserve(n) that must throw
inline constexpr std::size_t kMaxOps = 2000;        // top-level ops per input
inline constexpr std::size_t kMaxActions = 16;      // actions per iteration
inline constexpr std::uint32_t kMaxGap = 8;         // yields between actions: gap byte % 8

// What an op's fields mean (which slot, keys, counts it acts on): check/rules.h.

struct CodeInfo {
  const char* name;
  std::array<Arg, 3> args;
  bool top_level;     // may appear as a top-level op
  bool in_iteration;  // may appear as an action of kIterMutate
};

inline constexpr CodeInfo kCodeInfo[kNumCodes] = {
    {"insert", {Arg::kKey, Arg::kValue, Arg::kNone}, true, true},
    {"emplace", {Arg::kKey, Arg::kValue, Arg::kNone}, true, true},
    {"try_emplace", {Arg::kKey, Arg::kValue, Arg::kNone}, true, true},
    {"insert_or_assign", {Arg::kKey, Arg::kValue, Arg::kNone}, true, true},
    {"index_assign", {Arg::kKey, Arg::kValue, Arg::kNone}, true, true},
    {"index_bump", {Arg::kKey, Arg::kNone, Arg::kNone}, true, true},
    {"insert_hint", {Arg::kKey, Arg::kValue, Arg::kHintKind}, true, false},
    {"find", {Arg::kKey, Arg::kNone, Arg::kNone}, true, true},
    {"contains", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"count", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"at", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"equal_range", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"erase_key", {Arg::kKey, Arg::kNone, Arg::kNone}, true, true},
    {"erase_found", {Arg::kKey, Arg::kNone, Arg::kNone}, true, true},
    {"erase_range", {Arg::kSmall, Arg::kNone, Arg::kNone}, true, false},
    {"erase_if", {Arg::kResidue, Arg::kNone, Arg::kNone}, true, false},
    {"clear", {Arg::kNone, Arg::kNone, Arg::kNone}, true, true},
    {"reserve", {Arg::kSize, Arg::kNone, Arg::kNone}, true, true},
    {"rehash", {Arg::kCount, Arg::kNone, Arg::kNone}, true, false},
    {"insert_many", {Arg::kKey, Arg::kCount, Arg::kNone}, true, true},
    {"erase_many", {Arg::kKey, Arg::kCount, Arg::kNone}, true, true},
    {"insert_range", {Arg::kKey, Arg::kCount, Arg::kNone}, true, false},
    {"copy_construct", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"copy_assign", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"move_construct", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"move_assign", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"swap", {Arg::kMapSlotVariant, Arg::kNone, Arg::kNone}, true, false},
    {"select", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"equal", {Arg::kMapSlot, Arg::kNone, Arg::kNone}, true, false},
    {"iterate", {Arg::kNone, Arg::kNone, Arg::kNone}, true, false},
    {"iterate_mutate", {Arg::kNone, Arg::kNone, Arg::kNone}, true, false},
    {"arm_fault", {Arg::kFaultKind, Arg::kNth, Arg::kNone}, true, false},
    {"check", {Arg::kNone, Arg::kNone, Arg::kNone}, true, false},
    {"extract_key", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"extract_found", {Arg::kKey, Arg::kNone, Arg::kNone}, true, false},
    {"insert_node", {Arg::kHintKind, Arg::kNone, Arg::kNone}, true, false},
    {"merge", {Arg::kMapSlotVariant, Arg::kNone, Arg::kNone}, true, false},
    {"erase_current", {Arg::kNone, Arg::kNone, Arg::kNone}, false, true},
    {"assign_current", {Arg::kValue, Arg::kNone, Arg::kNone}, false, true},
};

// Opcode byte b names Code(b % kNumTopLevel): exactly the codes below
// kNumTopLevel are top-level ones.
inline constexpr bool top_level_codes_are_a_prefix() {
  for (int i = 0; i < kNumCodes; ++i)
    if (kCodeInfo[i].top_level != (i < kNumTopLevel)) return false;
  return true;
}
static_assert(top_level_codes_are_a_prefix());

inline const CodeInfo& info(Code c) { return kCodeInfo[static_cast<int>(c)]; }
inline const char* name(Code c) { return info(c).name; }

// The codes an action byte of kIterMutate can name (byte % size).
inline const std::vector<Code>& iteration_codes() {
  static const std::vector<Code> codes = [] {
    std::vector<Code> v;
    for (int i = 0; i < kNumCodes; ++i)
      if (kCodeInfo[i].in_iteration) v.push_back(static_cast<Code>(i));
    return v;
  }();
  return codes;
}

struct Op {
  Code code = Code::kCheck;
  std::uint32_t key = 0;    // key index; start index of bulk ops
  std::uint32_t value = 0;  // value index; fault countdown (kArmFault)
  std::uint32_t n = 0;      // count, size, slot, residue, fault kind, hint kind
  std::uint32_t at = 0;     // actions: the yield (0-based) this action runs at
  std::vector<Op> actions;  // kIterMutate: sorted by `at`
  bool operator==(const Op&) const = default;
};

// Key spaces an input can choose (header byte % 8). Small ones make most
// single-key ops hit; bulk ops still reach far beyond them (start + i).
inline constexpr std::uint32_t kKeySpaces[8] = {4, 16, 64, 256, 1024, 4096, 16384, 65536};

struct Program {
  std::uint8_t key_space_sel = 0;  // index into kKeySpaces
  std::vector<Op> ops;
  std::uint32_t key_space() const { return kKeySpaces[key_space_sel % 8]; }
  bool operator==(const Program&) const = default;
};

// Counts: 0..223 one by one (the small-map/table edge, a full group, a full
// small table live there), then steps of 248 from 496 to 8184 (full 1024-slot
// tables, splits; global depth >= 3 needs a few thousand). Only 1 byte in 8
// means a big count, so random inputs stay fast.
inline constexpr std::uint32_t kCountStep = 248;
inline std::uint32_t count_from_byte(std::uint8_t b) {
  return b < 224 ? b : static_cast<std::uint32_t>(b - 222) * kCountStep;
}
// The byte that decodes to the largest count <= n (exact for canonical n).
inline std::uint8_t byte_for_count(std::uint32_t n) {
  if (n < 2 * kCountStep) return static_cast<std::uint8_t>(n < 224 ? n : 223);
  std::uint32_t step = n / kCountStep;
  if (step > 33) step = 33;
  return static_cast<std::uint8_t>(222 + step);
}
// A count an op may carry (decode(encode(op)) == op exactly).
inline bool is_canonical_count(std::uint32_t n) {
  return count_from_byte(byte_for_count(n)) == n;
}

}  // namespace swisscheck
