// A value whose move may throw is copied during growth. When the k-th copy
// throws, the insert fails and every copy made so far is destroyed: the live
// objects are exactly the map's entries, for every k.
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "swiss/map.h"

struct Touchy {
  static inline long live = 0;
  static inline int copies_before_throw = -1;  // -1: never throw
  std::uint64_t v;
  explicit Touchy(std::uint64_t x) : v(x) { ++live; }
  Touchy(const Touchy& o) : v(o.v) {
    if (copies_before_throw >= 0 && copies_before_throw-- == 0) throw std::runtime_error("copy failed");
    ++live;
  }
  Touchy(Touchy&& o) noexcept(false) : v(o.v) { ++live; }  // may throw: growth copies instead
  ~Touchy() { --live; }
};

int main() {
  for (int k = 0; k < 14; ++k) {
    {
      swiss::Map<std::uint64_t, Touchy> m;
      for (std::uint64_t i = 0; i < 14; ++i) m.try_emplace(i, i);  // a 16-slot table, full to 7/8
      Touchy::copies_before_throw = k;
      bool threw = false;
      try {
        m.try_emplace(99, 99);  // must grow
      } catch (const std::runtime_error&) {
        threw = true;
      }
      Touchy::copies_before_throw = -1;
      if (!threw) return 2;
      if (Touchy::live != static_cast<long>(m.size())) {
        std::printf("FAIL: throw at copy %d: %ld live values for %zu entries\n", k, Touchy::live, m.size());
        return 1;
      }
    }
    if (Touchy::live != 0) return 3;
  }
  return 0;
}
