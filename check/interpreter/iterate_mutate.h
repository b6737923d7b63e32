// Interpreter<L>'s iteration with mutation (check/interpreter.h): Go's six
// guarantees at every yield (check/iteration_check.h), the actions run at
// their yields, the current entry's address after each action.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

template <class L>
void Interpreter<L>::iterate_mutate(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const std::size_t start_size = m.size();
  charge(iteration_cost(start_size, op.actions.size()));
  Tracker t(md);
  std::size_t yield = 0, next = 0;
  const std::size_t cap = 64 * (md.size() + 1) + 1000000;
  auto it = call([&] { return m.begin(); });
  while (it != m.end()) {
    if (yield > cap) fail("iteration does not end");
    {
      const OValue v = L::ovalue(it->second);
      const std::string err = t.on_yield(md, it->first, v);
      if (!err.empty()) fail("iteration yield #" + std::to_string(yield) + " (" + key_text(it->first) + " -> " +
                             show_obj(it->second) + "): " + err);
    }
    // The entry just yielded, by reference: it stays usable until an action
    // erases it or is allowed to move it and does (a rebuild: contract.h).
    // `dirty`: a table was rebuilt since the yield, so `it` may no longer
    // point into the map's storage (erase_current needs it, and so does
    // assign_current where an entry can move: inline lanes).
    typename Map::value_type* const ref = &*it;
    const bool ref_nan = L::is_nan(ref->first);
    const std::optional<OKey> ref_id = *t.current();
    const void* ref_addr = ref;  // where the entry is now (moves only where allowed)
    bool advanced = false, dirty = false;
    for (; next < op.actions.size() && op.actions[next].at <= yield; ++next) {
      const Op& a = op.actions[next];
      // After `it = m.erase(it)` the iterator already stands on the next
      // entry, which the loop yields next: a mutation in between could
      // remove it under the iterator (a C++ misuse, not a map bug), so the
      // rest of this yield's actions are dropped.
      if (advanced) continue;
      const auto before = before_all();
      const Family f = family(a.code);
      if (a.code == Code::kEraseCurrent || a.code == Code::kAssignCurrent) {
        if (!current_action_runs(a.code, t.current_gone(), dirty, kIndirect)) continue;
        const OKey id = *ref_id;
        if (a.code == Code::kAssignCurrent) {
          const Value v = L::make_value(a.value);
          call([&] { ref->second = v; });
          md.set(id, L::ovalue(v));
        } else {
          const Key k = it->first;
          const ErasedSlot slot = table_slot_of(m, k);
          it = call([&] { return m.erase(it); });
          check_cleared(m, slot, k);
          md.erase(id);
          t.on_erase(id);
          advanced = true;
        }
        check_size(m, md, name(a.code));
        verify_slot(cur_, f, before[cur_]);
        continue;
      }
      // A bulk action is charged as at top level, and when the budget is
      // spent the iteration stops here and so does the run (clear, reserve
      // and rehash charge themselves, in their handlers).
      if (!charge(upfront_cost(a))) {
        spent_ = true;
        return;
      }
      apply_action_op(a, &t);
      check_size(m, md, name(a.code));
      verify_slot(cur_, f, before[cur_]);
      if (a.code == Code::kReserve && a.n != kAbsurdSize) start_promise(maps_[cur_], a.n);
      const bool rebuilt = Access::rebuilds(m) != before[cur_].rebuilds;
      if (rebuilt) dirty = true;
      // The current entry itself, pinned or not.
      if (!t.current_gone() && !ref_nan) {
        const void* now = address_of(m, *ref_id);
        if (!now) fail("find(" + show_obj(*ref_id) + ") misses the entry the iteration stands on");
        if (now != ref_addr && !may_move(f, rebuilt, kIndirect))
          fail("moved entry " + show_obj(*ref_id) + " (the iteration's current entry): " +
               rule_message(move_rule(f, kIndirect)));
        ref_addr = now;
      }
    }
    if (!advanced) call([&] { ++it; });
    // Yields past the map's size at the start (entries the actions added)
    // were not in iteration_cost.
    if (++yield > start_size) charge(2);
  }
  const std::string err = t.finish();
  if (!err.empty()) fail("at the end of the iteration (" + std::to_string(yield) + " yields): " + err);
}

}  // namespace swisscheck
