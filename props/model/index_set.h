// A set of key indices kept as sorted, disjoint half-open intervals. The model
// is copied and replayed many times while RapidCheck generates and shrinks
// command sequences, and bulk ops add or remove whole runs of keys, so runs
// are what it stores: a map of 5000 entries filled by a few insert_many ops is
// a handful of intervals, not 5000 nodes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace swissprops {

class IndexSet {
 public:
  using Run = std::pair<std::uint32_t, std::uint32_t>;  // [first, second)

  const std::vector<Run>& runs() const { return runs_; }
  bool empty() const { return runs_.empty(); }

  bool contains(std::uint32_t x) const {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), x,
                               [](std::uint32_t v, const Run& r) { return v < r.first; });
    return it != runs_.begin() && x < std::prev(it)->second;
  }

  void insert(std::uint32_t lo, std::uint32_t hi) {
    if (lo >= hi) return;
    std::vector<Run> out;
    out.reserve(runs_.size() + 1);
    bool placed = false;
    for (const Run& r : runs_) {
      if (r.second < lo) {
        out.push_back(r);
      } else if (hi < r.first) {
        if (!placed) out.emplace_back(lo, hi), placed = true;
        out.push_back(r);
      } else {  // overlaps or touches: merge into [lo, hi)
        lo = std::min(lo, r.first);
        hi = std::max(hi, r.second);
      }
    }
    if (!placed) out.emplace_back(lo, hi);
    runs_ = std::move(out);
  }
  void insert(std::uint32_t x) { insert(x, x + 1); }

  void erase(std::uint32_t lo, std::uint32_t hi) {
    if (lo >= hi) return;
    std::vector<Run> out;
    out.reserve(runs_.size() + 1);
    for (const Run& r : runs_) {
      if (r.second <= lo || hi <= r.first) {
        out.push_back(r);
        continue;
      }
      if (r.first < lo) out.emplace_back(r.first, lo);
      if (hi < r.second) out.emplace_back(hi, r.second);
    }
    runs_ = std::move(out);
  }
  void erase(std::uint32_t x) { erase(x, x + 1); }
  void clear() { runs_.clear(); }

  // How many indices of [lo, hi) are in the set.
  std::uint64_t count_in(std::uint32_t lo, std::uint32_t hi) const {
    std::uint64_t n = 0;
    for (const Run& r : runs_) {
      const std::uint32_t a = std::max(lo, r.first), b = std::min(hi, r.second);
      if (a < b) n += b - a;
    }
    return n;
  }

  // The k-th smallest index below `limit` (k < count_in(0, limit)).
  std::uint32_t nth_below(std::uint64_t k, std::uint32_t limit) const {
    for (const Run& r : runs_) {
      if (r.first >= limit) break;
      const std::uint32_t len = std::min(r.second, limit) - r.first;
      if (k < len) return r.first + static_cast<std::uint32_t>(k);
      k -= len;
    }
    return 0;
  }

  // The smallest x < start_limit with [x, x + len) disjoint from the set and
  // x + len <= end_limit; nullopt if there is none.
  std::optional<std::uint32_t> absent_run(std::uint32_t len, std::uint32_t start_limit,
                                          std::uint32_t end_limit) const {
    std::uint32_t x = 0;
    for (const Run& r : runs_) {
      if (x >= start_limit) break;
      if (r.first >= x + len) break;  // the gap before r fits
      x = std::max(x, r.second);
    }
    if (x < start_limit && std::uint64_t{x} + len <= end_limit) return x;
    return std::nullopt;
  }

  // A run of at least `len` present indices starting below start_limit.
  std::optional<std::uint32_t> present_run(std::uint32_t len, std::uint32_t start_limit) const {
    for (const Run& r : runs_) {
      if (r.first >= start_limit) break;
      if (r.second - r.first >= len) return r.first;
    }
    return std::nullopt;
  }

  bool operator==(const IndexSet&) const = default;

 private:
  std::vector<Run> runs_;
};

}  // namespace swissprops
