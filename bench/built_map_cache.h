// Built maps kept between benchmarks: hit, miss and iterate read a map without
// changing it, so each map type is built once per size (a 10M map takes
// seconds) and the four maps' runs of one workload can sit side by side, which
// keeps their ratios honest on a machine whose load changes. The cache holds
// the maps of one size and one entry type at a time; asking for another size
// or entry type, or drop(), frees them.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace bench {

class BuiltMapCache {
 public:
  template <class M, class Build>
  const M& get(std::size_t n, Build&& build) {
    using Entry = typename M::value_type;
    if (n_ != n || entry_tag_ != &kTag<Entry>) drop();
    for (const auto& held : maps_)
      if (held.tag == &kTag<M>) return *static_cast<const M*>(held.map.get());
    auto m = std::make_shared<M>();
    build(*m);
    maps_.push_back({&kTag<M>, m});
    n_ = n;
    entry_tag_ = &kTag<Entry>;
    return *m;
  }
  void drop() {
    maps_.clear();
    n_ = 0;
    entry_tag_ = nullptr;
  }

 private:
  template <class T> static constexpr char kTag = 0;  // one address per type
  struct Held {
    const void* tag;
    std::shared_ptr<void> map;
  };
  std::vector<Held> maps_;
  std::size_t n_ = 0;
  const void* entry_tag_ = nullptr;
};

inline BuiltMapCache& built_maps() {
  static BuiltMapCache cache;
  return cache;
}

}  // namespace bench
