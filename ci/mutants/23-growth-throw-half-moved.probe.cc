// When the k-th copy of a growth throws, the map keeps every entry it had,
// with its value (the strong guarantee of the failed insert).
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "swiss/map.h"

struct Payload {
  static inline int copies_before_throw = -1;  // -1: never throw
  std::string text;
  explicit Payload(std::uint64_t x) : text("payload #" + std::to_string(x) + " long enough for the heap") {}
  Payload(const Payload& o) : text(o.text) {
    if (copies_before_throw >= 0 && copies_before_throw-- == 0) throw std::runtime_error("copy failed");
  }
  Payload(Payload&& o) noexcept(false) : text(std::move(o.text)) {}  // may throw: growth copies
};

int main() {
  for (int k = 0; k < 14; ++k) {
    swiss::Map<std::uint64_t, Payload> m;
    for (std::uint64_t i = 0; i < 14; ++i) m.try_emplace(i, i);
    Payload::copies_before_throw = k;
    try {
      m.try_emplace(99, 99);
      return 2;
    } catch (const std::runtime_error&) {
    }
    Payload::copies_before_throw = -1;
    for (std::uint64_t i = 0; i < 14; ++i) {
      auto it = m.find(i);
      if (it == m.end() || it->second.text != Payload(i).text) {
        std::printf("FAIL: throw at copy %d of a growth lost entry %llu\n", k, (unsigned long long)i);
        return 1;
      }
    }
    if (m.size() != 14) return 3;
  }
  return 0;
}
