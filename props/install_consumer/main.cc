// Uses the installed header through swiss::map; exits non-zero if the map
// does not behave.
#include <cstdio>
#include <string>

#include "swiss/map.h"

int main() {
  swiss::Map<std::string, int> m;
  for (int i = 0; i < 3000; ++i) m[std::to_string(i)] = i;
  for (int i = 0; i < 3000; i += 2) m.erase(std::to_string(i));
  long sum = 0;
  for (const auto& [k, v] : m) sum += v;
  m.check_invariants();
  const long want = 1500L * 1500L;  // 1 + 3 + ... + 2999
  if (m.size() != 1500 || sum != want || m.at("2999") != 2999) {
    std::printf("swiss_consumer: wrong result: size %zu sum %ld\n", m.size(), sum);
    return 1;
  }
  std::printf("swiss_consumer: ok, %zu entries, sum %ld\n", m.size(), sum);
  return 0;
}
