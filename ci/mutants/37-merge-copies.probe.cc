// merge hands entries over: nothing is copied, and an entry over 128 bytes
// (kept behind a pointer) keeps its address in the target map.
#include <array>
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct Counted {
  static inline long copies = 0;
  std::array<std::uint64_t, 20> w{};  // 160 bytes: stored indirectly
  Counted() = default;
  explicit Counted(std::uint64_t v) { w[0] = v; }
  Counted(const Counted& o) : w(o.w) { ++copies; }
  Counted(Counted&&) noexcept = default;
};

int main() {
  swiss::Map<std::uint64_t, Counted> a, b;
  for (std::uint64_t k = 0; k < 100; ++k) a.try_emplace(k, k);
  for (std::uint64_t k = 50; k < 150; ++k) b.try_emplace(k, k + 1000);
  const Counted* where = &a.find(3)->second;
  const long before = Counted::copies;
  b.merge(a);
  if (Counted::copies != before || &b.find(3)->second != where) {
    std::printf("FAIL: merge copied %ld entries (moved entry 3: %s)\n", Counted::copies - before,
                &b.find(3)->second != where ? "yes" : "no");
    return 1;
  }
  if (a.size() != 50 || b.size() != 150 || b.at(60).w[0] != 1060) return 2;
  return 0;
}
