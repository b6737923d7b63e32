// AllocTally: the counting core of the suite's counting allocators — the
// bytes and blocks an allocator's memory holds now, the peak of those bytes,
// and the allocations ever made. Only the standard library, so bench/ (which
// depends on nothing else of check/) includes it too.
//
// Two allocators count through it, and stay two on purpose:
//   swisscheck::LedgerAllocator<T> (check/instrumented.h): stateful, its state
//     is the Ledger it counts into (two compare equal iff they share one);
//     each allocate() is a fault point that may throw; a deallocate of more
//     than is outstanding is recorded as a ledger error. Storage: aligned
//     operator new. For the fault lane and the lifetime/unwind props.
//   bench::GlobalCountingAllocator<T> (bench/counting_allocator.h): stateless
//     and always equal, counts into one global tally (the benchmark is
//     single-threaded), no ledger, no fault point. Storage: std::allocator<T>.
//     The four maps benchmarked (swiss, absl, boost, std) rebind it freely to
//     their node/group/table types and allocate exactly as they would with
//     std::allocator, so the bytes-per-entry figures are theirs; a ledger
//     pointer in every map and a fault point per allocation would not be.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace swisscheck {

struct AllocTally {
  std::size_t live_bytes = 0;
  std::size_t live_blocks = 0;
  std::size_t peak_bytes = 0;  // the most live_bytes ever were
  std::uint64_t allocations = 0;

  void on_allocate(std::size_t bytes) noexcept {
    live_bytes += bytes;
    ++live_blocks;
    ++allocations;
    peak_bytes = std::max(peak_bytes, live_bytes);
  }
  // False, and nothing counted, when more bytes or blocks would come back
  // than are live (a deallocate the allocator never handed out).
  [[nodiscard]] bool on_deallocate(std::size_t bytes) noexcept {
    if (live_blocks == 0 || live_bytes < bytes) return false;
    live_bytes -= bytes;
    --live_blocks;
    return true;
  }
};

}  // namespace swisscheck
