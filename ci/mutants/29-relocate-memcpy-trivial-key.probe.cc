// u64 -> short std::string (kept in the string's own small buffer): growth
// must move each value with its move constructor; values read back intact.
#include <cstdint>
#include <cstdio>
#include <string>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::string> m;
  for (std::uint64_t k = 0; k < 300; ++k) m[k] = "v" + std::to_string(k);  // several growths
  for (std::uint64_t k = 0; k < 300; ++k)
    if (m.at(k) != "v" + std::to_string(k)) {
      std::printf("FAIL: value of %llu corrupted by growth\n", (unsigned long long)k);
      return 1;
    }
  return 0;
}
