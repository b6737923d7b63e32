// An insert whose value constructor throws leaves the map as it was.
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "swiss/map.h"

struct Fragile {
  std::string text;
  explicit Fragile(int v) : text("value " + std::to_string(v) + " with enough text to live on the heap") {
    if (v < 0) throw std::runtime_error("constructor failed");
  }
};

int main() {
  swiss::Map<std::uint64_t, Fragile> m;
  for (std::uint64_t k = 1; k <= 20; ++k) m.try_emplace(k, static_cast<int>(k));
  for (std::uint64_t k = 100; k < 110; ++k) {
    try {
      m.try_emplace(k, -1);
      return 2;
    } catch (const std::runtime_error&) {
    }
  }
  std::size_t walked = 0;
  for (const auto& kv : m) walked += kv.first >= 1 && kv.first <= 20;
  if (m.size() != 20 || walked != 20 || m.contains(100)) {
    std::printf("FAIL: a throwing constructor left size %zu, %zu entries walked\n", m.size(), walked);
    return 1;
  }
  return 0;
}
