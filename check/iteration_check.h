// Go's iteration guarantees, checked at every yield of an iteration that
// mutates the map, with the oracle as the truth for "present now, with this
// value":
//   (1) a key present at the start and never erased is yielded exactly once;
//   (2) a key erased before it is reached is not yielded;
//   (3) a key inserted during the iteration is yielded at most once (an erase
//       and re-insert is a new insertion);
//   (4) every yielded (k, v) is in the map at that moment, with that value;
//   (5) after clear() nothing that was in the map before is yielded;
//   (6) NaN-like keys present throughout are yielded exactly once each.
// (2), (4) and (5) are one check at the yield: the oracle holds (k, v) now.
// (1), (3) and (6): no identity is yielded twice within one incarnation (an
// erase starts a new one), and at the end every survivor was yielded.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <optional>
#include <string>

#include "check/model.h"

namespace swisscheck {

template <class L>
class IterationTracker {
 public:
  using Key = typename L::Key;
  using OKey = typename L::OKey;
  using OValue = typename L::OValue;

  explicit IterationTracker(const Model<L>& start) {
    for (const auto& [id, v] : start.entries()) survivors_.insert(id);
  }

  // Checks one yield; on success remembers it as the current entry. Returns
  // an error message, empty if fine.
  std::string on_yield(const Model<L>& now, const Key& k, const OValue& v) {
    OKey id;
    if (!L::is_nan(k)) {
      const OValue* have = now.find(k);
      if (!have)
        return "yielded a key that is not in the map now: erased before it was reached, or cleared (guarantees 2/4/5)";
      if (!(*have == v))
        return "yielded a stale value: the map holds another value for this key now (guarantee 4)";
      id = L::okey(k);
    } else {
      auto found = now.resolve(
          k, v, [&](const OKey& x) { return yielded_.contains(x); },
          [&](const OKey& x) { return survivors_.contains(x); });
      if (!found)
        return "yielded a NaN key that the map does not hold now with this value, or a second time (guarantees 4/6)";
      id = *found;
    }
    if (!yielded_.insert(id).second) return "yielded a key a second time (guarantees 1/3)";
    current_ = id;
    current_gone_ = false;
    ++yields_;
    return {};
  }

  // The entry of this identity was erased (by key, by iterator): it is no
  // longer a survivor, and a later re-insert may be yielded again.
  void on_erase(const OKey& id) {
    survivors_.erase(id);
    yielded_.erase(id);
    if (current_ && *current_ == id) current_gone_ = true;
  }
  void on_clear() {
    survivors_.clear();
    yielded_.clear();
    current_gone_ = true;
  }

  const std::optional<OKey>& current() const { return current_; }
  bool current_gone() const { return current_gone_; }
  std::size_t yields() const { return yields_; }

  // At the end of the iteration: every survivor was yielded (1, 6).
  std::string finish() const {
    std::size_t missing = 0;
    for (const OKey& id : survivors_)
      if (!yielded_.contains(id)) ++missing;
    if (missing == 0) return {};
    return std::to_string(missing) +
           " key(s) present from the start and never erased were not yielded (guarantees 1/6)";
  }

 private:
  absl::flat_hash_set<OKey, typename L::OHash> survivors_;
  absl::flat_hash_set<OKey, typename L::OHash> yielded_;
  std::optional<OKey> current_;
  bool current_gone_ = false;
  std::size_t yields_ = 0;
};

}  // namespace swisscheck
