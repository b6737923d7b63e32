// Through several directory doublings (string keys this time): every key
// found by lookup, and a walk of the map yields each exactly once.
#include <cstdio>
#include <set>
#include <string>

#include "swiss/map.h"

int main() {
  swiss::Map<std::string, int> m;
  const int n = 6000;
  for (int i = 0; i < n; ++i) m.emplace("key-" + std::to_string(i), i);
  for (int i = 0; i < n; ++i)
    if (!m.contains("key-" + std::to_string(i))) {
      std::printf("FAIL: key-%d lost after directory doublings\n", i);
      return 1;
    }
  std::set<int> walked;
  for (const auto& kv : m) walked.insert(kv.second);
  if (walked.size() != static_cast<std::size_t>(n)) {
    std::printf("FAIL: the walk yields %zu distinct entries of %d\n", walked.size(), n);
    return 1;
  }
  return 0;
}
