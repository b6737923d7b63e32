// check_invariants(): the whole structure, checked the way Go's table_debug
// does and further: the directory, local depths and table indices too.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "swiss/map.h"

namespace swiss::detail {

[[noreturn]] inline void invariant_failure(const char* fmt, ...) {
  std::fprintf(stderr, "swiss::Map::check_invariants failed: ");
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fprintf(stderr, "\n");
  std::abort();
}

template <class M>
struct InvariantChecker {
  using Table = typename M::Table;
  using Policy = typename M::Policy;
  using Slot = typename M::Policy::Slot;

  static void check(const M& m) {
    if (const char* broken = m.dir_.broken()) invariant_failure("%s (global depth %u)", broken, m.dir_.depth());
    if (m.dir_.empty()) {
      if (m.size_ != 0) invariant_failure("no table but size() = %zu", m.size_);
      return;
    }
    check_directory(m);
    std::size_t used = 0;
    m.dir_.for_each_table([&](Table* t) {
      check_table(m, t);
      used += t->used;
    });
    if (used != m.size_) invariant_failure("tables hold %zu entries but size() = %zu", used, m.size_);
  }

  static void check_directory(const M& m) {
    const auto& dir = m.dir_;
    const std::size_t n = dir.size();
    for (std::size_t i = 0; i < n;) {
      Table* t = dir.at(i);
      if (t == nullptr) invariant_failure("directory entry %zu is null", i);
      if (t->stale) invariant_failure("directory entry %zu holds a stale table", i);
      if (t->local_depth > dir.depth())
        invariant_failure("table at %zu has local depth %u > global depth %u", i, t->local_depth, dir.depth());
      const std::size_t span = dir.span(t);
      if (t->index != i) invariant_failure("table at %zu records index %u", i, t->index);
      if (i % span != 0) invariant_failure("table at %zu spans %zu entries but is not aligned", i, span);
      for (std::size_t e = i; e < i + span; ++e)
        if (dir.at(e) != t) invariant_failure("entry %zu should point to the table at %zu (span %zu)", e, i, span);
      if (t->small && (!dir.single() || t->capacity != kGroupSlots))
        invariant_failure("a small table must be the only table, with %zu slots", kGroupSlots);
      i += span;
    }
  }

  static void check_table(const M& m, Table* t) {
    const std::uint32_t cap = t->capacity;
    if (cap < kGroupSlots || (cap & (cap - 1)) != 0) invariant_failure("capacity %u is not a power of two >= 8", cap);
    if (!t->small && cap < 2 * kGroupSlots) invariant_failure("a table (not small) of capacity %u", cap);
    if (cap > kMaxTableCapacity && !t->oversize)
      invariant_failure("capacity %u exceeds %zu without a degenerate hash or a reserve", cap, kMaxTableCapacity);
    if (t->ref_count() == 0) invariant_failure("a live table with no references");
    for (std::uint32_t f = 0; f < t->forwarder_count; ++f) {
      Table* from = t->forwarders[f];
      bool points_here = false;
      for (std::uint32_t j = 0; from->stale && j < from->forward_target_count; ++j)
        points_here = points_here || from->forward_targets[j] == t;
      if (!points_here) invariant_failure("forwarder %u of a live table is not a stale table forwarding into it", f);
    }
    std::uint32_t full = 0, deleted = 0, empty = 0;
    const std::size_t span = m.dir_.span(t);
    for (std::uint32_t i = 0; i < cap; ++i) {
      const std::uint8_t c = t->ctrl(i);
      const Slot* s = t->slot(i);
      if (is_full(c)) {
        ++full;
        const auto& key = Policy::element(s)->first;
        const std::uint64_t h = m.hash_of(key);
        if (h2(h) != c) invariant_failure("slot %u: control byte 0x%02x but H2 of its key is 0x%02x", i, c, h2(h));
        // Computed here, not by Directory::index_of: the check must not share the code it checks.
        const std::size_t home = m.dir_.depth() ? static_cast<std::size_t>(h >> (64 - m.dir_.depth())) : 0;
        if (home < t->index || home >= t->index + span)
          invariant_failure("slot %u: key belongs to directory entry %zu, table covers [%u, %zu)", i, home, t->index,
                            t->index + span);
        if (m.eq_(key, key)) {  // keys not equal to themselves (NaN) are never found
          const auto loc = m.locate(key, h);
          if (loc.table != t || loc.slot != i) invariant_failure("slot %u: its key is not found by lookup", i);
        }
        continue;
      }
      if (c == kCtrlDeleted) {
        ++deleted;
      } else if (c == kCtrlEmpty) {
        ++empty;
      } else {
        invariant_failure("slot %u: control byte 0x%02x is neither full, empty nor deleted", i, c);
      }
      Policy::unpoison(s);
      const unsigned char* bytes = reinterpret_cast<const unsigned char*>(s);
      for (std::size_t b = 0; b < sizeof(Slot); ++b)
        if (bytes[b] != 0) invariant_failure("slot %u is not full but byte %zu of it is 0x%02x", i, b, bytes[b]);
      Policy::poison(s);
    }
    if (full != t->used) invariant_failure("table counts %u used but holds %u full slots", t->used, full);
    if (t->small) {
      if (deleted != 0) invariant_failure("a small map holds %u tombstones", deleted);
      if (t->growth_left != cap - full) invariant_failure("small map growth_left %u, expected %u", t->growth_left, cap - full);
      return;
    }
    const std::uint32_t expect = Table::max_growth(cap) - full - deleted;
    if (Table::max_growth(cap) < full + deleted || t->growth_left != expect)
      invariant_failure("growth_left %u, expected capacity*7/8 - used - tombstones = %u*7/8 - %u - %u", t->growth_left,
                        cap, full, deleted);
    if (empty == 0) invariant_failure("a table of capacity %u has no empty slot (probes would not end)", cap);
  }
};

}  // namespace swiss::detail

template <class K, class V, class H, class Eq, class A>
void swiss::Map<K, V, H, Eq, A>::check_invariants() const {
  detail::InvariantChecker<Map>::check(*this);
}
