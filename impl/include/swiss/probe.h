// The probe sequence: which groups of a table a lookup or an insert visits,
// and in what order (Go's probeSeq in internal/runtime/maps, Abseil's
// probe_seq).
//
// A table has a power of two of 8-slot groups. A probe starts at the group H1
// of the hash chooses and moves by triangular steps: offsets h, h+1, h+3,
// h+6, ... modulo the group count. Those visit every group exactly once in
// the first group-count steps, so a probe that keeps going finds any free
// slot; and steps that grow keep keys whose H1 collide from following each
// other group by group, as linear probing would.
//
// Every probe stops at the first group with an empty slot (a key is in no
// later group, since an insert would have used that one), and growth keeps
// an empty slot in every table (max load 7/8). So a sequence that has
// visited every group met a table whose accounting is broken; next() aborts
// with a message then rather than spin forever.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "swiss/ctrl.h"

namespace swiss::detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void probe_exhausted() {
  std::fprintf(stderr, "swiss::Map: a probe visited every group of a table without meeting an empty slot "
                       "(growth_left or a control byte is wrong)\n");
  std::abort();
}

class ProbeSeq {
 public:
  // mask: the table's group count - 1 (a power of two minus one).
  ProbeSeq(std::uint64_t hash, std::uint32_t mask)
      : mask_(mask), offset_(static_cast<std::uint32_t>(h1(hash)) & mask) {}

  // The group to look at now.
  std::uint32_t offset() const { return offset_; }
  // Slot i of that group, as a slot number of the table.
  std::uint32_t slot(unsigned i) const { return offset_ * static_cast<std::uint32_t>(kGroupSlots) + i; }
  // How many groups the probe left behind before this one.
  std::uint32_t index() const { return index_; }

  // On to the next group: one step further than the last.
  void next() {
    ++index_;
    if (index_ > mask_) probe_exhausted();
    offset_ = (offset_ + index_) & mask_;
  }

 private:
  std::uint32_t mask_;
  std::uint32_t offset_;
  std::uint32_t index_ = 0;
};

}  // namespace swiss::detail
