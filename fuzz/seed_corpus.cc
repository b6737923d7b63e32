// Seed-corpus generator: op lists -> bytes (check/encode.h), so the seeds can
// be regenerated and reviewed as code. Writes
//   corpus/<lane>_fuzzer/seed-<name>   one file per seed program
//   fuzz/ops.dict                      op snippets libFuzzer splices in (one
//                                      dictionary, named by every <lane>_fuzzer.options)
// Usage: swiss_seed_corpus REPO_ROOT   (prints what it writes, then a summary)
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "check/encode.h"
#include "check/ops.h"

namespace {

using swisscheck::Code;
using swisscheck::kAbsurdSize;
using swisscheck::Op;
using swisscheck::Program;

// Builder: reads like the trace.
struct P {
  Program p;
  explicit P(std::uint8_t space_sel) { p.key_space_sel = space_sel; }
  P& op(Code c, std::uint32_t key = 0, std::uint32_t value = 0, std::uint32_t n = 0) {
    p.ops.push_back({c, key, value, n});
    return *this;
  }
  P& insert(std::uint32_t k, std::uint32_t v = 1) { return op(Code::kInsert, k, v); }
  P& many(std::uint32_t start, std::uint32_t n) { return op(Code::kInsertMany, start, 0, n); }
  P& erase_many(std::uint32_t start, std::uint32_t n) { return op(Code::kEraseMany, start, 0, n); }
  P& iter(std::vector<Op> actions) {
    Op o{Code::kIterMutate};
    o.actions = std::move(actions);
    p.ops.push_back(o);
    return *this;
  }
  P& check() { return op(Code::kCheck); }
};
Op at(std::uint32_t yield, Code c, std::uint32_t key = 0, std::uint32_t value = 0, std::uint32_t n = 0) {
  return Op{c, key, value, n, yield};
}

struct Seed {
  std::string name;
  Program program;
};

// Counts must be canonical (count_from_byte): below 224, or a multiple of
// kCountStep (248) up to 33 steps.
constexpr std::uint32_t k595 = 2 * swisscheck::kCountStep, k1020 = 4 * swisscheck::kCountStep,
                        k2040 = 8 * swisscheck::kCountStep, k4080 = 16 * swisscheck::kCountStep,
                        k6035 = 24 * swisscheck::kCountStep, k8160 = 33 * swisscheck::kCountStep;

std::vector<Seed> common_seeds() {
  std::vector<Seed> s;
  {  // 8 -> 9 entries: the small map becomes a table; erase/lookups around it
    P p(1);
    for (std::uint32_t i = 0; i < 10; ++i) p.insert(i, i);
    p.op(Code::kEraseKey, 3).op(Code::kFind, 3).op(Code::kIndexBump, 3).op(Code::kAt, 9).op(Code::kContains, 2);
    p.op(Code::kEraseFound, 8).op(Code::kCount, 8).check();
    s.push_back({"small-to-table", p.p});
  }
  {  // thousands of keys: many splits, global depth >= 3
    P p(2);
    p.many(0, k6035).check().erase_many(0, k4080).check().many(0, k2040).op(Code::kIterate);
    s.push_back({"splits-depth3", p.p});
  }
  {  // churn at constant size: tombstones, cleanup, rehash in place
    P p(5);
    p.many(0, 800);
    for (std::uint32_t r = 0; r < 24; ++r) p.erase_many(r * 100, 100).many(800 + r * 100, 100);
    p.check();
    s.push_back({"tombstone-churn", p.p});
  }
  {  // iteration across growth and split, with assignments and erases ahead/behind
    P p(6);
    p.many(0, k1020);
    p.iter({at(1, Code::kInsertMany, 40, 0, k4080), at(2, Code::kInsertOrAssign, 5, 9),
            at(2, Code::kIndexAssign, 20, 3), at(3, Code::kEraseKey, 7), at(3, Code::kEraseKey, 60),
            at(5, Code::kIndexBump, 11), at(9, Code::kInsertMany, 5000, 0, k2040), at(10, Code::kInsertOrAssign, 30, 200),
            at(12, Code::kEraseMany, 0, 0, 100)});
    p.check();
    s.push_back({"iterate-across-split", p.p});
  }
  {  // iteration that erases and assigns through the iterator, small map to table
    P p(1);
    for (std::uint32_t i = 0; i < 6; ++i) p.insert(i, i);
    p.iter({at(0, Code::kEraseCurrent), at(1, Code::kAssignCurrent, 0, 44), at(1, Code::kInsertMany, 8, 0, 30),
            at(2, Code::kEraseCurrent), at(3, Code::kInsert, 2, 5), at(4, Code::kAssignCurrent, 0, 45)});
    p.check();
    s.push_back({"iterate-erase-current", p.p});
  }
  {  // clear during iteration, then re-insert
    P p(4);
    p.many(0, 50);
    p.iter({at(3, Code::kClear), at(4, Code::kInsert, 1, 2), at(4, Code::kInsertMany, 0, 0, 30)});
    p.many(0, 300);
    p.iter({at(2, Code::kInsertMany, 300, 0, k1020), at(3, Code::kClear), at(3, Code::kInsert, 7, 7)});
    p.check();
    s.push_back({"clear-during-iteration", p.p});
  }
  {  // several maps: copy, assign, move, swap, compare
    P p(3);
    for (std::uint32_t i = 0; i < 12; ++i) p.insert(i, i);
    p.op(Code::kCopyConstruct, 0, 0, 1).insert(3, 99).op(Code::kEqual, 0, 0, 0).op(Code::kSelect, 0, 0, 0);
    p.op(Code::kCopyAssign, 0, 0, 2).op(Code::kEqual, 0, 0, 0).op(Code::kMoveConstruct, 0, 0, 1);
    p.many(100, 500).op(Code::kSwap, 0, 0, 2).op(Code::kSwap, 0, 0, 4).op(Code::kMoveAssign, 0, 0, 0);
    p.op(Code::kCopyAssign, 0, 0, 0).op(Code::kEqual, 0, 0, 1).check();
    s.push_back({"copy-move-swap", p.p});
  }
  {  // m[k]++ after delete must start from zero (Go issue 25936)
    P p(0);
    p.op(Code::kIndexBump, 1).op(Code::kIndexBump, 1).op(Code::kEraseKey, 1).op(Code::kIndexBump, 1);
    p.many(0, 40).erase_many(0, 40).op(Code::kIndexBump, 2).check();
    s.push_back({"bump-after-delete", p.p});
  }
  {  // capacity ops
    P p(2);
    p.op(Code::kReserve, 0, 0, 9).many(0, 9).op(Code::kReserve, 0, 0, k2040).op(Code::kRehash, 0, 0, 0);
    p.op(Code::kReserve, 0, 0, kAbsurdSize).op(Code::kRehash, 0, 0, k8160).check();
    s.push_back({"reserve-rehash", p.p});
  }
  {  // the rest of the interface
    P p(3);
    p.many(0, 100).op(Code::kEraseIf, 0, 0, 1).op(Code::kEraseRange, 0, 0, 7).op(Code::kInsertRange, 5, 0, 64);
    p.op(Code::kInsertHint, 3, 4, 0).op(Code::kInsertHint, 200, 4, 1).op(Code::kInsertHint, 201, 4, 2);
    p.op(Code::kEqualRange, 3).op(Code::kEqualRange, 250).op(Code::kAt, 251).op(Code::kEmplace, 60, 2);
    p.op(Code::kTryEmplace, 61, 3).op(Code::kInsertOrAssign, 61, 4).op(Code::kIndexAssign, 62, 5).check();
    s.push_back({"interface", p.p});
  }
  {  // node handles: a node moved between maps, handed back for a present key, merges both ways
    P p(3);
    p.many(0, 60).op(Code::kExtractKey, 7).op(Code::kInsertNode, 0, 0, 0);  // back home
    p.op(Code::kExtractFound, 8).op(Code::kSelect, 0, 0, 1).insert(8, 3);
    p.op(Code::kInsertNode, 0, 0, 0);                                      // present: handed back
    p.op(Code::kEraseKey, 8).op(Code::kInsertNode, 0, 0, 2);               // now it goes in
    p.op(Code::kInsertNode, 0, 0, 0).op(Code::kExtractKey, 250);           // empty node, absent key
    p.many(30, 200).op(Code::kMerge, 0, 0, 0).check();                     // map 0 into map 1
    p.op(Code::kSelect, 0, 0, 0).many(500, k1020).op(Code::kMerge, 0, 0, 4).check();  // map 1 back, as rvalue
    p.op(Code::kMerge, 0, 0, 0).op(Code::kExtractKey, 600).op(Code::kSelect, 0, 0, 2);
    p.op(Code::kInsertNode, 0, 0, 1).check();
    s.push_back({"node-handles", p.p});
  }
  {  // the address contract: reserve's promise, erase never moving, growth under a held node
    P p(4);
    p.op(Code::kReserve, 0, 0, k1020).many(0, 900).erase_many(0, 500).op(Code::kEraseIf, 0, 0, 2);
    p.op(Code::kExtractKey, 700).many(2000, 600).op(Code::kInsertNode, 0, 0, 0);
    p.op(Code::kReserve, 0, 0, k2040).many(3000, 200).op(Code::kFind, 3000).op(Code::kSwap, 0, 0, 1);
    p.op(Code::kMoveConstruct, 0, 0, 1).erase_many(3000, 100).check();
    s.push_back({"address-contract", p.p});
  }
  {  // churn at a constant size within half a table's budget: the tombstones
     // are cleaned by rebuilding the one table in place, never by growing it
     // (28 entries in 64 slots, 100 in 256)
    P p(5);
    p.many(0, 28);
    for (std::uint32_t r = 0; r < 40; ++r) p.erase_many(r * 25, 25).many(28 + r * 25, 25);
    p.check().op(Code::kSelect, 0, 0, 1).many(0, 100);
    for (std::uint32_t r = 0; r < 25; ++r) p.erase_many(r * 90, 90).many(100 + r * 90, 90);
    s.push_back({"churn-in-place", p.check().p});
  }
  {  // reserve(n) on a small map holding entries, n just past its 8 slots:
     // the insert that brings it to 9 must not rebuild (one map per n)
    P p(3);
    const std::uint32_t ns[] = {9, 12, 16};
    for (std::uint32_t d = 0; d < 3; ++d) {
      if (d != 0) p.op(Code::kSelect, 0, 0, d);
      p.insert(0).insert(1).op(Code::kReserve, 0, 0, ns[d]).many(2, ns[d] - 2).op(Code::kFind, 0);
    }
    s.push_back({"reserve-small-map", p.check().p});
  }
  {  // reserve(992) after reserve(496): the 1024-slot table has slots for 992
     // but room (7/8) for 896 only, so reserve must rebuild now, not insert 897
    P p(4);
    p.op(Code::kReserve, 0, 0, k595).op(Code::kReserve, 0, 0, k1020).many(0, k1020).op(Code::kFind, 0);
    s.push_back({"reserve-past-budget", p.check().p});
  }
  return s;
}

std::vector<Seed> double_seeds() {
  std::vector<Seed> s;
  {  // the same NaN again and again, different NaNs, -0.0/+0.0; grow with them
    P p(5);  // 4096 keys: #15, #31, #47, #63 are NaNs, #14/#30... zeros
    for (int r = 0; r < 3; ++r) p.insert(15, r).insert(31, r).op(Code::kIndexBump, 47).op(Code::kTryEmplace, 63, r);
    p.insert(14, 1).insert(30, 2).op(Code::kFind, 14).op(Code::kFind, 15).op(Code::kEraseKey, 15);
    p.many(0, k2040).check();
    p.iter({at(1, Code::kInsertMany, 2040, 0, k2040), at(2, Code::kInsert, 15, 9), at(4, Code::kEraseCurrent)});
    p.op(Code::kCopyConstruct, 0, 0, 1).op(Code::kEqual, 0, 0, 0).op(Code::kEraseIf, 0, 0, 2).check();
    p.iter({at(1, Code::kClear), at(2, Code::kInsert, 15, 1)});
    s.push_back({"nan-and-zero", p.p});
  }
  return s;
}

std::vector<Seed> fault_seeds() {
  std::vector<Seed> s;
  for (std::uint32_t kind = 0; kind < 4; ++kind) {
    // a throw while the small map becomes a table, and at points of growth
    P p(5);
    for (std::uint32_t i = 0; i < 8; ++i) p.insert(i, i);
    p.op(Code::kArmFault, 0, 1, kind).insert(8, 8).check();
    for (std::uint32_t nth : {3u, 17u, 40u, 64u}) {
      p.op(Code::kArmFault, 0, nth, kind).many(nth * 50, 300);
    }
    p.op(Code::kArmFault, 0, 5, kind).op(Code::kCopyConstruct, 0, 0, 1);
    p.op(Code::kArmFault, 0, 9, kind).op(Code::kCopyAssign, 0, 0, 2);
    p.op(Code::kArmFault, 0, 2, kind).op(Code::kInsertRange, 7, 0, 64);
    p.op(Code::kArmFault, 0, 3, kind).op(Code::kReserve, 0, 0, k2040);
    p.op(Code::kArmFault, 0, 30, kind).iter({at(1, Code::kInsertMany, 3000, 0, k1020), at(2, Code::kIndexAssign, 4, 4)});
    p.op(Code::kArmFault, 0, 1, kind).op(Code::kIndexAssign, 900, 1).check();
    // node ops that throw lose nothing; a merge may stop half way
    p.op(Code::kSelect, 0, 0, 0).op(Code::kArmFault, 0, 2, kind).op(Code::kExtractKey, 3);
    p.op(Code::kArmFault, 0, 1, kind).op(Code::kInsertNode, 0, 0, 0);
    p.op(Code::kArmFault, 0, 20, kind).op(Code::kMerge, 0, 0, 2).check();
    const char* names[4] = {"hash", "eq", "copy", "alloc"};
    s.push_back({std::string("fault-") + names[kind], p.p});
  }
  return s;
}

// The stateful_alloc lane (check/tracked_alloc.h): maps 0 and 1 share
// allocator resource #1, map 2 has #2, a copy construction gives #0. Each
// seed mixes equal and unequal pairs: copy and move assignment both ways
// (element-wise moves between unequal allocators, steals between equal),
// swaps and merges the interpreter must skip next to ones it runs, and a
// held node outliving every map of its resource.
std::vector<Seed> alloc_seeds() {
  std::vector<Seed> s;
  {  // assignments and swaps across #1, #2 and #0
    P p(3);
    for (std::uint32_t i = 0; i < 20; ++i) p.insert(i, i);
    p.op(Code::kCopyAssign, 0, 0, 2).many(100, 200);                 // map 2 (#2) = map 0 (#1); keeps #2
    p.op(Code::kMoveAssign, 0, 0, 0).op(Code::kSwap, 0, 0, 1);      // map 0 = move(map 2): element-wise; swap 0/1 runs
    p.op(Code::kSwap, 0, 0, 2).op(Code::kSwap, 0, 0, 5);            // with map 2: skipped (member and ADL)
    p.op(Code::kSelect, 0, 0, 1).many(500, 40).op(Code::kMoveAssign, 0, 0, 0);  // equal: steals
    p.op(Code::kCopyConstruct, 0, 0, 2).op(Code::kSwap, 0, 0, 0);   // map 2 now #0: swap with #1 skipped
    p.op(Code::kMoveConstruct, 0, 0, 1).op(Code::kSwap, 0, 0, 2);   // map 1 takes #0 too: swap runs
    p.op(Code::kCopyAssign, 0, 0, 0).op(Code::kEqual, 0, 0, 1).check();
    s.push_back({"alloc-assign-swap", p.p});
  }
  {  // node handles and merges between equal and unequal allocators
    P p(3);
    p.many(0, 60).op(Code::kExtractKey, 7).op(Code::kSelect, 0, 0, 2);
    p.op(Code::kInsertNode, 0, 0, 0).many(30, 100).op(Code::kMerge, 0, 0, 0);  // into #2: both skipped
    p.op(Code::kSelect, 0, 0, 1).op(Code::kInsertNode, 0, 0, 1);              // #1 into #1: goes in
    p.op(Code::kMerge, 0, 0, 2).op(Code::kMerge, 0, 0, 3).check();            // skipped; map 0 in (rvalue)
    p.op(Code::kExtractKey, 40).op(Code::kSelect, 0, 0, 2).op(Code::kMoveAssign, 0, 0, 1);
    p.op(Code::kCopyConstruct, 0, 0, 0).op(Code::kMoveConstruct, 0, 0, 1);  // no map left on #1 but the node's
    p.op(Code::kInsertNode, 0, 0, 2).check();                                   // into #0: skipped
    s.push_back({"alloc-nodes-merge", p.p});
  }
  {  // element-wise moves of many tables, then copies onto bigger and smaller maps
    P p(6);
    p.op(Code::kSelect, 0, 0, 2).many(0, k2040).op(Code::kMoveAssign, 0, 0, 0).check();
    p.op(Code::kCopyAssign, 0, 0, 1).erase_many(0, k1020).op(Code::kCopyAssign, 0, 0, 2);
    p.many(5000, k4080).op(Code::kCopyAssign, 0, 0, 0).op(Code::kMoveAssign, 0, 0, 2);
    p.op(Code::kSwap, 0, 0, 1).op(Code::kIterate).check();
    s.push_back({"alloc-big-moves", p.p});
  }
  return s;
}

// The instrumented_tracked lane (check/lanes.h): growth copies every entry
// (its move may throw), so a copy fault armed at k during a growing insert
// throws in the middle of a copying growth: a 16-slot table filled to 14
// entries, then the insert that grows it with the throw at copies 2, 3, 7
// and 13 (a try_emplace copies its key once first); a map of ~500 entries
// growing with the throw at its 60th copy; a reserve that copies, throwing
// at the 50th; each followed by a full check.
std::vector<Seed> growth_copy_seeds() {
  std::vector<Seed> s;
  P p(4);
  for (std::uint32_t i = 0; i < 14; ++i) p.op(Code::kTryEmplace, i, i);
  for (std::uint32_t nth : {2u, 3u, 7u, 13u}) p.op(Code::kArmFault, 0, nth, 2).op(Code::kTryEmplace, 100, 1).check();
  p.op(Code::kTryEmplace, 100, 1).many(200, k595).check();
  p.op(Code::kArmFault, 0, 60, 2).many(800, 200).check();
  p.op(Code::kArmFault, 0, 50, 2).op(Code::kReserve, 0, 0, k2040).check();
  s.push_back({"growth-copy-throw", p.p});
  return s;
}

// Dictionary entries: single encoded ops libFuzzer can splice anywhere.
std::vector<std::vector<std::uint8_t>> dict_ops() {
  std::vector<Op> ops = {
      {Code::kInsertMany, 0, 0, k8160}, {Code::kInsertMany, 0, 0, k1020}, {Code::kInsertMany, 0, 0, 9},
      {Code::kEraseMany, 0, 0, k595},   {Code::kCheck},                   {Code::kClear},
      {Code::kCopyConstruct, 0, 0, 1},  {Code::kSwap, 0, 0, 1},           {Code::kReserve, 0, 0, kAbsurdSize},
      {Code::kArmFault, 0, 1, 3},       {Code::kArmFault, 0, 10, 0},       {Code::kIndexBump, 1},
      {Code::kExtractKey, 1},           {Code::kExtractFound, 2},         {Code::kInsertNode, 0, 0, 0},
      {Code::kInsertNode, 0, 0, 1},     {Code::kMerge, 0, 0, 1},          {Code::kMerge, 0, 0, 5},
  };
  Op it{Code::kIterMutate};
  it.actions = {at(1, Code::kInsertMany, 100, 0, k2040), at(2, Code::kInsertOrAssign, 3, 9)};
  ops.push_back(it);
  Op it2{Code::kIterMutate};
  it2.actions = {at(2, Code::kClear), at(3, Code::kInsert, 1, 1)};
  ops.push_back(it2);
  Op it3{Code::kIterMutate};
  it3.actions = {at(0, Code::kEraseCurrent), at(1, Code::kAssignCurrent, 0, 5)};
  ops.push_back(it3);
  std::vector<std::vector<std::uint8_t>> out;
  for (const Op& op : ops) {
    std::vector<std::uint8_t> b;
    swisscheck::encode_op(b, op, 256);  // one-byte keys
    out.push_back(b);
  }
  return out;
}

// The ops between maps, to each slot (the unequal allocators of the
// stateful_alloc lane are what they were first written for).
std::vector<std::vector<std::uint8_t>> multi_map_dict_ops() {
  const std::vector<Op> ops = {
      {Code::kCopyAssign, 0, 0, 2}, {Code::kMoveAssign, 0, 0, 0}, {Code::kMoveAssign, 0, 0, 2},
      {Code::kSwap, 0, 0, 2},       {Code::kMoveConstruct, 0, 0, 1}, {Code::kSelect, 0, 0, 2},
  };
  std::vector<std::vector<std::uint8_t>> out;
  for (const Op& op : ops) {
    std::vector<std::uint8_t> b;
    swisscheck::encode_op(b, op, 256);
    out.push_back(b);
  }
  return out;
}

std::string dict_line(const std::vector<std::uint8_t>& b) {
  static const char* hex = "0123456789abcdef";
  std::string s = "\"";
  for (std::uint8_t c : b) {
    s += "\\x";
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " REPO_ROOT\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path root = argv[1];
  // fuzz/CMakeLists.txt's SWISS_FUZZ_LANES, comma-separated.
  std::vector<std::string> lanes;
  {
    std::string csv = SWISS_FUZZ_LANES_CSV;
    for (std::size_t at = 0; at <= csv.size();) {
      const std::size_t comma = std::min(csv.find(',', at), csv.size());
      lanes.push_back(csv.substr(at, comma - at));
      at = comma + 1;
    }
  }
  std::size_t files = 0, bytes = 0;
  for (const std::string& lane : lanes) {
    std::vector<Seed> seeds = common_seeds();
    if (lane == "double")
      for (auto& s : double_seeds()) seeds.push_back(s);
    if (lane == "instrumented" || lane == "instrumented_indirect" || lane == "instrumented_tracked")
      for (auto& s : fault_seeds()) seeds.push_back(s);
    if (lane == "stateful_alloc" || lane == "instrumented_tracked")
      for (auto& s : alloc_seeds()) seeds.push_back(s);
    if (lane == "instrumented_tracked")
      for (auto& s : growth_copy_seeds()) seeds.push_back(s);
    const fs::path dir = root / "corpus" / (lane + "_fuzzer");
    fs::create_directories(dir);
    for (const Seed& s : seeds) {
      const auto data = swisscheck::encode(s.program);
      std::ofstream(dir / ("seed-" + s.name), std::ios::binary)
          .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
      ++files;
      bytes += data.size();
    }
    std::cout << "wrote " << seeds.size() << " seeds to " << dir.string() << '\n';
  }
  // One dictionary for every lane: the op language is the same in all of them.
  const fs::path dict = root / "fuzz" / "ops.dict";
  {
    std::ofstream d(dict);
    d << "# generated by swiss_seed_corpus (fuzz/seed_corpus.cc): encoded ops, one-byte keys\n";
    int i = 0;
    for (const auto& b : dict_ops()) d << "op" << i++ << '=' << dict_line(b) << '\n';
    for (const auto& b : multi_map_dict_ops()) d << "op" << i++ << '=' << dict_line(b) << '\n';
  }
  std::cout << "wrote " << dict.string() << '\n';
  std::cout << "swiss_seed_corpus: " << files << " seed files, " << bytes << " bytes, " << lanes.size() << " lanes, 1 dictionary\n";
  return 0;
}
