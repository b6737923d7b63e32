// Interpreter<L> after a throw (check/interpreter.h): an op that may stop half
// way (range insert, copy-assign, erase_if, merge) leaves a valid map that lost
// and invented nothing, and the oracle follows the map; after an injected
// throw every map is checked in full against the oracle.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

// After a throw half way through a range op: the map must be valid and
// every entry it holds acceptable; with `must_keep`, nothing of it lost.
// Then the oracle follows the map.
template <class L>
template <class Acceptable>
void Interpreter<L>::resync_after_partial(Map& m, Model<L>& md, Acceptable acceptable, const Model<L>* must_keep) {
  m.check_invariants();
  Model<L> now;
  for (auto it = m.begin(); it != m.end(); ++it) {
    const OValue v = L::ovalue(it->second);
    if (!acceptable(it->first, v))
      fail("after a throw the map holds " + key_text(it->first) + " -> " + show_obj(it->second) +
           ", which neither it nor the op's input had");
    now.add(it->first, v);
  }
  if (must_keep)
    for (const auto& [id, v] : must_keep->entries()) {
      const OValue* w = now.find_id(id);
      if (!w || !(*w == v)) fail("after a throw the map lost " + show_obj(id) + " (a throw must lose nothing)");
    }
  md = std::move(now);
}

// After an injected throw: every map valid and exactly as the oracle says.
template <class L>
void Interpreter<L>::after_fault(const char* what) {
  Ledger::current().disarm();
  check_held((std::string("after an injected throw (") + what + ")").c_str());
  for (auto& s : maps_) {
    if (!s.map) {
      s.model.clear();
      continue;
    }
    std::string when = std::string("after an injected throw (") + what + ")";
    check_full(*s.map, s.model, when.c_str());
  }
  // Tracked lanes: the walk stepped to the op's target map before the op;
  // the op threw before the interpreter moved there, or before a copy or
  // move construction put a map in its slot (which then holds none: the
  // walk gives it the allocator a map made there later gets).
  if constexpr (kTracked) {
    walk_.cur = cur_;
    for (std::uint32_t i = 0; i < kMapSlots; ++i)
      if (!maps_[i].map) walk_.slot[i] = slot_identity(i);
  }
  if (!maps_[cur_].map) engage(cur_);
}

}  // namespace swisscheck
