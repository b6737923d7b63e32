// The stateful model test's commands (rc::state::Command<Model, Sut>).
//
// The system under test is a program being written: each command's run()
// appends the op(s) it stands for to the program, and the property then runs
// the whole program once through check/'s interpreter, which applies it to
// swiss::Map and to the absl oracle and checks everything after every op. So
// RapidCheck generates and shrinks command lists, and one interpreter judges
// them — the same one the fuzzers and the replay drivers use.
//
// Every command knows its ops as a function of the model state, so commands
// that aim at a boundary (fill to 897 entries, churn at the current size)
// still hit it after shrinking removed the commands before them.
// checkPreconditions() asserts what a command needs of the state (RC_PRE):
// room in the program's budget, a non-empty map for churn, the fault lane for
// arm_fault, a size below the target for a fill.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "check/ops.h"
#include "check/trace.h"
#include "props/model/generators.h"
#include "props/model/model_state.h"

namespace swissprops {

struct ProgramSut {
  Program program;
};

template <class L>
struct Cmd : rc::state::Command<ModelState<L>, ProgramSut> {
  using S = ModelState<L>;
  using G = Gens<L>;

  virtual std::vector<Op> ops(const S& s) const = 0;
  virtual std::string what() const = 0;
  // Commands that cost more than a lookup stop while the budget is spent, so
  // cheap commands always remain to finish the sequence.
  virtual bool heavy() const { return true; }
  virtual void require(const S&) const {}

  void checkPreconditions(const S& s) const override {
    require(s);
    const std::vector<Op> mine = ops(s);
    S next = s;
    for (const Op& op : mine) next.apply(op);
    if (heavy()) {
      RC_PRE(next.cost <= kHeavyCostLimit && next.ops <= 300 && next.total_size() <= 8000);
    } else {
      RC_PRE(next.cost <= kCostLimit && next.ops <= 1000);
    }
  }
  void apply(S& s) const override {
    const std::vector<Op> mine = ops(s);
    for (const Op& op : mine) s.apply(op);
  }
  void run(const S& s, ProgramSut& sut) const override {
    for (Op& op : ops(s)) sut.program.ops.push_back(std::move(op));
  }
  void show(std::ostream& os) const override { os << what(); }
};

// A command that is one op, drawn when the command is generated; it shows as
// that op. The commands below draw `op` in their constructors.
template <class L>
struct OneOp : Cmd<L> {
  Op op;
  std::vector<Op> ops(const typename Cmd<L>::S&) const override { return {op}; }
  std::string what() const override { return swisscheck::show_op<L>(op); }
};

// insert, emplace, try_emplace, insert_or_assign, m[k] = v, m[k]++, and
// insert with a hint.
template <class L>
struct Put : OneOp<L> {
  using OneOp<L>::op;
  explicit Put(const typename Cmd<L>::S& s) {
    op.code = *rc::gen::element(Code::kInsert, Code::kEmplace, Code::kTryEmplace, Code::kInsertOrAssign,
                                Code::kIndexAssign, Code::kIndexBump, Code::kInsertHint);
    op.key = Cmd<L>::G::key(s);
    if (op.code != Code::kIndexBump) op.value = Cmd<L>::G::value();
    if (op.code == Code::kInsertHint) op.n = *rc::gen::inRange<std::uint32_t>(0, 3);
  }
  bool heavy() const override { return false; }
};

// find, contains, count, at, equal_range.
template <class L>
struct Lookup : OneOp<L> {
  using OneOp<L>::op;
  explicit Lookup(const typename Cmd<L>::S& s) {
    op.code = *rc::gen::element(Code::kFind, Code::kContains, Code::kCount, Code::kAt, Code::kEqualRange);
    op.key = Cmd<L>::G::key(s);
  }
  bool heavy() const override { return false; }
};

// erase(key), erase(find(key)): present keys most of the time.
template <class L>
struct Erase : OneOp<L> {
  using OneOp<L>::op;
  explicit Erase(const typename Cmd<L>::S& s) {
    op.code = *rc::gen::element(Code::kEraseKey, Code::kEraseFound);
    op.key = *rc::gen::inRange(0, 4) ? Cmd<L>::G::present_key(s) : Cmd<L>::G::key(s);
  }
  bool heavy() const override { return false; }
};

// erase(first, last), erase_if, clear, reserve (absurd sizes too), rehash.
template <class L>
struct Bulk : OneOp<L> {
  using OneOp<L>::op;
  explicit Bulk(const typename Cmd<L>::S& s) {
    using G = typename Cmd<L>::G;
    const int kind = *rc::gen::inRange(0, 7);
    switch (kind) {
      case 0: op = {Code::kEraseRange, 0, 0, *rc::gen::inRange<std::uint32_t>(0, 16)}; break;
      case 1: op = {Code::kEraseIf, 0, 0, *rc::gen::inRange<std::uint32_t>(0, 4)}; break;
      case 2: op = {Code::kClear}; break;
      case 3: op = {Code::kReserve, 0, 0, canonical_ceil(std::min<std::uint64_t>(2 * s.size() + 9, 4000))}; break;
      case 4: op = {Code::kReserve, 0, 0, *rc::gen::inRange(0, 3) ? G::count() : swisscheck::kAbsurdSize}; break;
      case 5: op = {Code::kRehash, 0, 0, G::count()}; break;
      default: op = {Code::kInsertRange, G::key(s), 0, G::count()}; break;
    }
  }
};

// insert_many / erase_many over a run of keys.
template <class L>
struct Many : OneOp<L> {
  using OneOp<L>::op;
  explicit Many(const typename Cmd<L>::S& s) {
    using G = typename Cmd<L>::G;
    op.code = *rc::gen::element(Code::kInsertMany, Code::kInsertMany, Code::kEraseMany);
    op.key = op.code == Code::kEraseMany ? G::present_key(s) : G::key(s);
    op.n = G::count();
  }
};

// The sizes where the map changes shape for this lane: 8 -> 9 (small map to
// table), 7/8 of each table capacity, 896 -> 897 (a full 1024-slot table
// splits), and thousands (several splits, global depth >= 3). Lanes whose
// keys are bounded (degenerate hashes) stop at their index limit.
template <class L>
std::vector<std::uint64_t> boundary_targets() {
  std::vector<std::uint64_t> t;
  for (std::uint64_t b : {8, 14, 28, 56, 448, 896}) {
    if (b <= L::kIndexLimit) t.push_back(b);
    if (b + 1 <= L::kIndexLimit) t.push_back(b + 1);
  }
  if (L::kIndexLimit < 4000) t.push_back(L::kIndexLimit);
  return t;
}

// Grow the current map to exactly a boundary size with fresh keys.
template <class L>
struct FillTo : Cmd<L> {
  std::uint64_t target = 0;
  explicit FillTo(const typename Cmd<L>::S& s) {
    const auto targets = boundary_targets<L>();
    const bool deep = L::kIndexLimit >= 65536 && *rc::gen::inRange(0, 6) == 0;
    target = deep ? 3600 + 100 * *rc::gen::inRange<std::uint64_t>(0, 12) : *rc::gen::elementOf(targets);
    RC_PRE(s.size() < target);
  }
  void require(const typename Cmd<L>::S& s) const override { RC_PRE(!s.exact || s.size() < target); }
  std::vector<Op> ops(const typename Cmd<L>::S& s) const override { return Cmd<L>::G::fill_to(s, target); }
  std::string what() const override { return "fill the map to " + std::to_string(target) + " entries"; }
};

// Churn at constant size: erase a run, insert as many fresh keys, repeat.
template <class L>
struct Churn : Cmd<L> {
  std::uint32_t rounds = 1, batch = 1;
  explicit Churn(const typename Cmd<L>::S& s) {
    RC_PRE(s.size() >= 2);
    rounds = *rc::gen::inRange<std::uint32_t>(1, 11);
    batch = canonical_floor(std::max<std::uint64_t>(1, *rc::gen::inRange<std::uint64_t>(1, s.size() / 2 + 2)));
  }
  void require(const typename Cmd<L>::S& s) const override { RC_PRE(s.size() >= 1); }
  std::vector<Op> ops(const typename Cmd<L>::S& s) const override { return Cmd<L>::G::churn(s, rounds, batch); }
  std::string what() const override {
    return "churn at constant size: " + std::to_string(rounds) + " x (erase " + std::to_string(batch) +
           ", insert " + std::to_string(batch) + " fresh)";
  }
};

// Several maps: copy-construct, copy-assign, move-construct, move-assign,
// swap (member or ADL), select another map, compare with ==.
template <class L>
struct Maps : OneOp<L> {
  using OneOp<L>::op;
  Maps() {
    op.code = *rc::gen::element(Code::kCopyConstruct, Code::kCopyAssign, Code::kMoveConstruct, Code::kMoveAssign,
                                Code::kSwap, Code::kSelect, Code::kEqual);
    op.n = *rc::gen::inRange<std::uint32_t>(0, op.code == Code::kSwap ? 2 * swisscheck::kMapSlots : swisscheck::kMapSlots);
  }
};

// Node handles: extract (by key, by iterator) into the held node, put it
// into the current map (plain, or with a hint), merge another map in.
template <class L>
struct Nodes : OneOp<L> {
  using OneOp<L>::op;
  explicit Nodes(const typename Cmd<L>::S& s) {
    using G = typename Cmd<L>::G;
    switch (*rc::gen::inRange(0, 4)) {
      case 0: op = {Code::kExtractKey, *rc::gen::inRange(0, 4) ? G::present_key(s) : G::key(s)}; break;
      case 1: op = {Code::kExtractFound, G::present_key(s)}; break;
      case 2: op = {Code::kInsertNode, 0, 0, *rc::gen::inRange<std::uint32_t>(0, 3)}; break;
      default: op = {Code::kMerge, 0, 0, *rc::gen::inRange<std::uint32_t>(0, 2 * swisscheck::kMapSlots)}; break;
    }
  }
  bool heavy() const override { return op.code == Code::kMerge; }
};

// A full iteration, or an iteration with mutation at its yields.
template <class L>
struct Iterate : OneOp<L> {
  using OneOp<L>::op;
  int mode = -1;
  explicit Iterate(const typename Cmd<L>::S& s) {
    mode = *rc::gen::weightedElement<int>({{1, -1}, {3, 0}, {3, 1}, {2, 2}});
    if (mode < 0) {
      op.code = Code::kIterate;
      return;
    }
    RC_PRE(s.size() > 0);
    op.code = Code::kIterMutate;
    op.actions = Cmd<L>::G::actions(s, mode);
  }
  std::string what() const override {
    std::string w = OneOp<L>::what();
    static const char* kModes[] = {"mixed", "growth and splits", "clear in the middle"};
    if (mode >= 0) w += std::string(" [") + kModes[mode] + "]";
    for (const Op& a : op.actions) w += "; at yield " + std::to_string(a.at) + ": " + swisscheck::show_op<L>(a);
    return w;
  }
};

// A full check of the current map (contents, find of every entry, invariants).
template <class L>
struct Check : Cmd<L> {
  std::vector<Op> ops(const typename Cmd<L>::S&) const override { return {Op{Code::kCheck}}; }
  std::string what() const override { return "check"; }
};

// Fault lane: the nth hash / equality / copy / allocation from now throws.
template <class L>
struct ArmFault : OneOp<L> {
  using OneOp<L>::op;
  ArmFault() {
    op.code = Code::kArmFault;
    op.n = *rc::gen::inRange<std::uint32_t>(0, 4);
    op.value = *rc::gen::inRange<std::uint32_t>(1, 65);
  }
  void require(const typename Cmd<L>::S&) const override { RC_PRE(L::kFaults); }
  bool heavy() const override { return false; }
};

// The generation function: one of the commands, weighted by repetition.
template <class L>
auto command_generator() {
  if constexpr (L::kFaults) {
    return rc::state::gen::execOneOfWithArgs<Put<L>, Put<L>, Put<L>, Lookup<L>, Erase<L>, Erase<L>, Bulk<L>, Many<L>,
                                             FillTo<L>, FillTo<L>, Churn<L>, Maps<L>, Nodes<L>, Nodes<L>,
                                             Iterate<L>, Iterate<L>, Check<L>, ArmFault<L>, ArmFault<L>,
                                             ArmFault<L>>();
  } else {
    return rc::state::gen::execOneOfWithArgs<Put<L>, Put<L>, Put<L>, Lookup<L>, Erase<L>, Erase<L>, Bulk<L>, Many<L>,
                                             FillTo<L>, FillTo<L>, Churn<L>, Maps<L>, Nodes<L>, Nodes<L>,
                                             Iterate<L>, Iterate<L>, Iterate<L>, Check<L>>();
  }
}

}  // namespace swissprops
