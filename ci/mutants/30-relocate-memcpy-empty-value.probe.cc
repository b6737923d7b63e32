// A set of short strings (value: an empty struct). Growth must move each key
// with its move constructor; every key is found afterwards.
#include <cstdio>
#include <string>

#include "swiss/map.h"

struct Empty {};

int main() {
  swiss::Map<std::string, Empty> set;
  for (int i = 0; i < 300; ++i) set.try_emplace("k" + std::to_string(i));  // several growths
  for (int i = 0; i < 300; ++i)
    if (!set.contains("k" + std::to_string(i))) {
      std::printf("FAIL: key k%d lost by growth\n", i);
      return 1;
    }
  std::size_t walked = 0;
  for (const auto& kv : set) walked += kv.first.size() >= 2 && kv.first[0] == 'k';
  if (walked != 300) {
    std::printf("FAIL: %zu well-formed keys walked of 300\n", walked);
    return 1;
  }
  return 0;
}
