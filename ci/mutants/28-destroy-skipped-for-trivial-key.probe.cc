// Erase, clear and destruction run each entry's destructor, also when the
// key has a trivial one: a u64 -> owning-value map must not leak its values.
#include <cstdint>
#include <cstdio>
#include <string>

#include "swiss/map.h"

struct Owned {
  static inline long live = 0;
  std::string text;
  explicit Owned(std::uint64_t k) : text(std::to_string(k) + " owns some heap memory past the SSO buffer") { ++live; }
  Owned(const Owned& o) : text(o.text) { ++live; }
  Owned(Owned&& o) noexcept : text(std::move(o.text)) { ++live; }
  ~Owned() { --live; }
};

int main() {
  {
    swiss::Map<std::uint64_t, Owned> m;
    for (std::uint64_t k = 0; k < 100; ++k) m.try_emplace(k, k);
    for (std::uint64_t k = 0; k < 50; ++k) m.erase(k);
    if (Owned::live != 50) {
      std::printf("FAIL: %ld live values after erasing down to 50 entries\n", Owned::live);
      return 1;
    }
    m.clear();
  }
  if (Owned::live != 0) {
    std::printf("FAIL: %ld values outlive the map\n", Owned::live);
    return 1;
  }
  return 0;
}
