// The reference/iterator-invalidation contract swiss::Map promises (absl's
// flat_hash_map contract, plus Go's iteration guarantees), as named rules the
// interpreter checks after every op and every iteration action. Each rule is
// stated once here with the reason it holds; a failure names the rule.
//
// "Moves" means: the address of an entry (its value_type object, &*find(k))
// changes while the entry stays in the map. TestAccess<M>::rebuilds(m) counts
// the map's table rebuilds (grow, split, rebuild in place, a merge of tables
// by reserve/rehash); an op that leaves it unchanged moved no entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "check/ops.h"

namespace swisscheck {

enum class Rule : std::uint8_t {
  kEraseMovesNothing,    // erase family: survivors stay, no rebuild
  kLookupMovesNothing,   // lookups, iteration, ==, check: nothing moves, no rebuild
  kInsertMovesOnRebuild, // insert family: without a rebuild every entry stays
  kInsertNoKeyNoRebuild, // insert family that added no key: no rebuild
  kIndirectNeverMoves,   // entries over 128 bytes: the object never moves
  kReserveHolds,         // after reserve(n): no rebuild up to size() == n
  kSwapKeeps,            // swap: entries live on in the other map, same address
  kMoveKeeps,            // move construct/assign: entries live on in the destination
  kNodeKeepsIndirect,    // extract/insert_node/merge: an indirect object keeps its address
  kEmptyingRedrawsSeed,  // clear, or an erase of the last entry: a new seed
  kSeedMixesHashes,      // two maps' seeds change how two keys' hashes differ
  kTombstonesRebuildInPlace, // a one-table map grows only when entries, not tombstones, fill it
};

struct RuleText {
  const char* id;      // short name, in every message
  const char* says;    // what the map may not do (the message's tail)
  const char* reason;  // why the map promises it
};

inline const RuleText& rule_text(Rule r) {
  static const RuleText kRules[] = {
      {"erase-moves-nothing", "erase may not move other entries",
       "absl: erase invalidates only the erased entry; erase never merges or shrinks a table"},
      {"lookup-moves-nothing", "a lookup or an iteration without mutation may not move entries",
       "absl: const operations invalidate nothing"},
      {"insert-moves-only-on-rebuild", "an insert that rebuilt no table may not move entries",
       "absl: an insert invalidates references only when it rehashes"},
      {"insert-no-key-no-rebuild", "an insert that added no key may not rebuild a table",
       "absl: a present key is found before any growth"},
      {"indirect-never-moves", "an indirect entry (key or value over 128 bytes) may never move",
       "the map stores it behind a pointer: growth moves the pointer, not the object"},
      {"reserve-holds", "reserve(n) promised no rebuild until size() == n",
       "absl: after reserve(n), inserts up to n elements do not rehash"},
      {"swap-keeps-addresses", "swap must hand each map's entries to the other at the same addresses",
       "std: swap invalidates no reference; they refer into the other container"},
      {"move-keeps-addresses", "a move must hand the source's entries to the destination at the same addresses",
       "std: a move with equal or propagating allocators steals the storage"},
      {"node-keeps-indirect", "an indirect entry must keep its address through extract, insert(node) and merge",
       "the node handle owns the heap object's pointer; nothing rebuilds the object"},
      {"emptying-redraws-seed", "a map that empties (clear(), or an erase of its last entry) must draw a new seed",
       "Go (issue 25237): keys an adversary found to collide must not collide again once the map is refilled"},
      {"seed-mixes-hashes", "two maps with different seeds must not hash a pair of keys alike (same XOR difference)",
       "per-map seeds (Go, hashbrown's RandomState): keys found to collide in one map must not collide in every "
       "map, so the seed enters the hash before the mixing multiply"},
      {"tombstones-rebuild-in-place",
       "a one-table map may grow only when entries fill more than half of its table's 7/8 budget",
       "Go, absl (drop deletes without resize), hashbrown: a table whose room went to tombstones is rebuilt at "
       "the same size, so churn at a constant size keeps its memory"},
  };
  return kRules[static_cast<int>(r)];
}

// "<says> [rule <id>: <reason>]"
inline std::string rule_message(Rule r) {
  const RuleText& t = rule_text(r);
  return std::string(t.says) + " [rule " + t.id + ": " + t.reason + "]";
}

// Which rules an op falls under.
enum class Family : std::uint8_t {
  kLookup,   // find, contains, count, at, equal_range, iterate, equal, check, select, arm_fault
  kErase,    // erase_key, erase_found, erase_range, erase_if, erase_many, extract_*
  kInsert,   // insert, emplace, ..., insert_many, insert_range, insert_node; merge's destination
  kReserve,  // may rebuild; then kReserveHolds
  kFree,     // rehash, clear, copy_assign, copy_construct: no address rule
  kSwap,
  kMove,
  kMerge,    // kInsert for the destination, kErase for the source
  kIterMutate,  // the actions are judged one by one
};

inline Family family(Code c) {
  switch (c) {
    case Code::kInsert: case Code::kEmplace: case Code::kTryEmplace: case Code::kInsertOrAssign:
    case Code::kIndexAssign: case Code::kIndexBump: case Code::kInsertHint: case Code::kInsertMany:
    case Code::kInsertRange: case Code::kInsertNode: case Code::kAssignCurrent:
      return Family::kInsert;
    case Code::kEraseKey: case Code::kEraseFound: case Code::kEraseRange: case Code::kEraseIf:
    case Code::kEraseMany: case Code::kExtractKey: case Code::kExtractFound: case Code::kEraseCurrent:
      return Family::kErase;
    case Code::kReserve: return Family::kReserve;
    case Code::kRehash: case Code::kClear: case Code::kCopyAssign: case Code::kCopyConstruct:
      return Family::kFree;
    case Code::kSwap: return Family::kSwap;
    case Code::kMoveConstruct: case Code::kMoveAssign: return Family::kMove;
    case Code::kMerge: return Family::kMerge;
    case Code::kIterMutate: return Family::kIterMutate;
    default: return Family::kLookup;
  }
}

// Which entries kIndirectNeverMoves covers: those whose key or value is over
// 128 bytes, as the contract states it (map.h's design comment, slot.h). The
// checks derive it from the sizes, never from the map's own kIndirectKey /
// kIndirectElem: a map that wrongly stores such an entry inline would then
// also tell the checks that its entries may move.
inline constexpr std::size_t kInlineLimitBytes = 128;
template <class K, class V>
inline constexpr bool indirect_entry = sizeof(K) > kInlineLimitBytes || sizeof(V) > kInlineLimitBytes;

// Whether an entry that stayed in the map may have a new address after an op
// of this family (rebuilt: the map's rebuilds() changed during the op).
inline bool may_move(Family f, bool rebuilt, bool indirect) {
  if (indirect) return false;  // kIndirectNeverMoves, whatever the op
  switch (f) {
    case Family::kInsert: case Family::kReserve: return rebuilt;
    case Family::kFree: return true;
    default: return false;
  }
}

// The rule an unallowed move breaks.
inline Rule move_rule(Family f, bool indirect) {
  if (indirect) return Rule::kIndirectNeverMoves;
  switch (f) {
    case Family::kErase: case Family::kMerge: return Rule::kEraseMovesNothing;
    case Family::kInsert: return Rule::kInsertMovesOnRebuild;
    case Family::kSwap: return Rule::kSwapKeeps;
    case Family::kMove: return Rule::kMoveKeeps;
    default: return Rule::kLookupMovesNothing;
  }
}

// Whether an op of this family may rebuild a table at all (added: it added a key).
inline bool may_rebuild(Family f, bool added) {
  switch (f) {
    case Family::kInsert: return added;
    case Family::kErase: case Family::kLookup: return false;
    default: return true;
  }
}

// Whether a reserve(n) promise survives an op of this family (while it lasts,
// the op may not rebuild as long as size() <= n).
inline bool keeps_reserve_promise(Family f) { return f == Family::kInsert || f == Family::kLookup; }

}  // namespace swisscheck
