// Interpreter<L>'s handlers of the ops between its maps (check/interpreter.h):
// copy and move construction and assignment, swap, select, ==, merge, and the
// node handles (extract_* fill the one held node, insert_node puts it into
// the current map, whichever map it came from). Which slot an op names or
// continues on: check/rules.h.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

template <class L>
void Interpreter<L>::op_copy_construct(const Op& op) {
  Map& m = map();
  const std::uint32_t d = target_slot(op.code, op.n, cur_);
  charge(m.size());
  empty_slot(d);
  call([&] { maps_[d].map.emplace(*maps_[cur_].map); });
  maps_[d].model = maps_[cur_].model;
  cur_ = d;
  check_size(map(), model(), "copy");
}

template <class L>
void Interpreter<L>::op_copy_assign(const Op& op) {
  Map& m = map();
  const std::uint32_t d = target_slot(op.code, op.n, cur_);
  charge(m.size());
  engage(d);
  Map& dst = *maps_[d].map;
  const Model<L> old_dst = maps_[d].model;
  const Model<L>& src_model = maps_[cur_].model;
  maps_[d].pins.clear();  // its entries are destroyed; the copies are new objects
  try {
    call([&] { dst = m; });
  } catch (...) {
    // The destination may hold a mix of its old entries and the source's.
    resync_after_partial(dst, maps_[d].model, [&](const Key& k, const OValue& v) {
      const OValue* a = old_dst.find(k);
      const OValue* b = src_model.find(k);
      return (a && *a == v) || (b && *b == v);
    }, nullptr);
    throw;
  }
  maps_[d].model = maps_[cur_].model;
  cur_ = d;
  check_size(map(), model(), "copy-assign");
}

template <class L>
void Interpreter<L>::op_move(const Op& op) {
  const std::uint32_t d = target_slot(op.code, op.n, cur_);
  const std::uint32_t src = cur_;
  // Rule move-keeps-addresses holds when the storage can be stolen: the
  // allocators propagate or compare equal (on tracked lanes: as the
  // allocator walk says, whatever the maps claim).
  bool steals = true;
  if (op.code == Code::kMoveConstruct) {
    empty_slot(d);
    call([&] { maps_[d].map.emplace(std::move(*maps_[src].map)); });
  } else {
    engage(d);
    if constexpr (kTracked) steals = walk_.equal(d, src);
    else
      steals = std::allocator_traits<typename L::Alloc>::propagate_on_container_move_assignment::value ||
               maps_[d].map->get_allocator() == maps_[src].map->get_allocator();
    call([&] { *maps_[d].map = std::move(*maps_[src].map); });
  }
  maps_[d].model = std::move(maps_[src].model);  // src's oracle is cleared below
  maps_[d].pins.clear();
  if (steals) std::swap(maps_[d].pins, maps_[src].pins);
  maps_[src].pins.clear();
  maps_[d].promise.reset();
  maps_[src].promise.reset();
  // The moved-from map is valid but unspecified: check it, empty it, keep it.
  Map& old = *maps_[src].map;
  old.check_invariants();
  // Between unequal allocators map.h documents more (operator=(Map&&)):
  // every entry was moved out one by one and the source ends empty.
  if (!steals && !old.empty())
    fail("move assignment between unequal allocators left " + std::to_string(old.size()) +
         " entries in the source (map.h: the source ends empty)");
  call([&] { old.clear(); });
  maps_[src].model.clear();
  check_size(old, maps_[src].model, "moved-from map after clear()");
  cur_ = d;
  check_size(map(), model(), "move");
}

template <class L>
void Interpreter<L>::op_swap(const Op& op) {
  const std::uint32_t d = named_slot(op.n);
  engage(d);
  Map& a = *maps_[cur_].map;
  Map& b = *maps_[d].map;
  if (!skip_.empty()) return;  // unequal allocators (AllocWalk::step): a no-op on both sides
  if (second_variant(op.n)) {
    using std::swap;
    swap(a, b);
  } else {
    a.swap(b);
  }
  if (d != cur_) {
    std::swap(maps_[cur_].model, maps_[d].model);
    std::swap(maps_[cur_].pins, maps_[d].pins);
  }
  maps_[cur_].promise.reset();
  maps_[d].promise.reset();
  check_size(a, maps_[cur_].model, "swap (this map)");
  check_size(b, maps_[d].model, "swap (other map)");
}

template <class L>
void Interpreter<L>::op_select(const Op& op) {
  const std::uint32_t d = named_slot(op.n);
  engage(d);
  cur_ = d;
}

template <class L>
void Interpreter<L>::op_equal(const Op& op) {
  const std::uint32_t d = named_slot(op.n);
  engage(d);
  Map& a = *maps_[cur_].map;
  Map& b = *maps_[d].map;
  charge(a.size());
  const bool eq = call([&] { return a == b; });
  const bool ne = call([&] { return a != b; });
  if (eq == ne) fail("== and != agree");
  const bool want = maps_[cur_].model.equals(maps_[d].model);
  // A map holding a NaN compared with itself: std says unequal (find
  // fails), a shortcut on identity says equal; both are accepted.
  const bool self_nan = d == cur_ && maps_[cur_].model.has_nan();
  if (eq != want && !self_nan)
    fail(std::string("map == other map returned ") + (eq ? "true" : "false") + ", the oracles say " +
         (want ? "equal" : "different"));
}

template <class L>
void Interpreter<L>::op_merge(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const std::uint32_t d = named_slot(op.n);
  const bool rvalue = second_variant(op.n);
  engage(d);
  Map& src = *maps_[d].map;
  Model<L>& smd = maps_[d].model;
  if (!skip_.empty()) return;  // unequal allocators (AllocWalk::step): a no-op on both sides
  charge(src.size());
  if (d == cur_) {  // merge with itself: nothing moves (the oracle, absl, does not allow it)
    if (rvalue) call([&] { m.merge(std::move(m)); });
    else call([&] { m.merge(m); });
    check_size(m, md, "after merge with itself");
    return;
  }
  const Model<L> dst_before = md, src_before = smd;
  try {
    if (rvalue) call([&] { m.merge(std::move(src)); });
    else call([&] { m.merge(src); });
  } catch (...) {
    // May stop between entries: each entry in one map or the other,
    // nothing lost, nothing invented, nothing in both that was not.
    auto had = [](const Model<L>& b, const Key& k, const OValue& v) {
      const OValue* w = b.find(k);
      return w && *w == v;
    };
    resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
      return had(dst_before, k, v) || had(src_before, k, v);
    }, &dst_before);
    resync_after_partial(src, smd, [&](const Key& k, const OValue& v) { return had(src_before, k, v); }, nullptr);
    for (const auto& [id, v] : src_before.entries()) {
      const bool in_dst = md.find_id(id) != nullptr, in_src = smd.find_id(id) != nullptr;
      if (!in_dst && !in_src) fail("merge that threw lost " + show_obj(id));
      if (in_dst && in_src && !dst_before.find_id(id)) fail("merge that threw copied " + show_obj(id));
    }
    throw;
  }
  md.merge_from(smd);
  check_size(m, md, "after merge (this map)");
  check_size(src, smd, "after merge (the source)");
  // Every entry of the source is now where merge puts it, and an
  // indirect one kept its object (rule node-keeps-indirect).
  for (const auto& [id, v] : src_before.entries()) {
    const Key k = key_from_id(id);
    if (L::is_nan(k)) continue;
    check_key(m, md, k);
    check_key(src, smd, k);
  }
  std::vector<Pin> stay;
  for (const Pin& p : maps_[d].pins) {
    if (smd.find_id(p.id)) {
      stay.push_back(p);
    } else if (md.find_id(p.id) && !dst_before.find_id(p.id)) {
      const void* a = address_of(m, p.id);
      if (kIndirect && a != p.addr)
        fail("merge moved entry " + show_obj(p.id) + ": " + rule_message(Rule::kNodeKeepsIndirect));
      pin(maps_[cur_], p.id, a);
    }
  }
  maps_[d].pins = std::move(stay);
}

template <class L>
void Interpreter<L>::op_extract(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const OValue* want = md.find(k);
  auto found = m.find(k);
  if ((found != m.end()) != (want != nullptr)) fail("find(" + key_text(k) + ") disagrees with the oracle");
  if (!extract_replaces_held(op.code, want != nullptr)) return;  // nothing to extract: the held node stays
  const void* addr = want ? static_cast<const void*>(&found->first) : nullptr;
  const ErasedSlot slot = want ? table_slot_of(m, k) : ErasedSlot{};
  Node nh = op.code == Code::kExtractKey
                ? call([&] { return m.extract(k); })
                : call([&] { return m.extract(typename Map::const_iterator(found)); });
  if (!want) {
    if (!nh.empty()) fail("extract(" + key_text(k) + ") of an absent key returned a non-empty node");
  } else {
    if (nh.empty()) fail("extract(" + key_text(k) + ") of a present key returned an empty node");
    if (!same_key(nh.key(), k)) fail("extract(" + key_text(k) + ") returned the node of " + key_text(nh.key()));
    if (!(L::ovalue(nh.mapped()) == *want))
      fail("extract(" + key_text(k) + ")'s node holds " + show_obj(nh.mapped()) + ", the oracle has " +
           show_obj(*want));
    if (!(nh.get_allocator() == m.get_allocator())) fail("the extracted node's allocator differs from the map's");
    if constexpr (kTracked) {
      if (nh.get_allocator().identity() != walk_.slot[cur_])
        fail("the extracted node holds allocator " + show_identity(nh.get_allocator().identity()) +
             ", not a copy of the map's " + show_identity(walk_.slot[cur_]));
      held_alloc_ = walk_.slot[cur_];
    }
    if (kIndirect && static_cast<const void*>(&nh.key()) != addr)
      fail("extract(" + key_text(k) + ") moved the entry: " + rule_message(Rule::kNodeKeepsIndirect));
    check_cleared(m, slot, k);
  }
  held_ = std::move(nh);
  held_addr_ = addr;
  oheld_ = want ? md.extract_id(L::okey(k)) : typename Model<L>::Node();
  check_held("after extract");
  check_key(m, md, k);
}

template <class L>
void Interpreter<L>::op_insert_node(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  check_held("before insert(node)");
  const Hint h = hint_kind(op.n);
  const char* what = insert_node_form(h);
  auto insert_held = [&](typename Map::iterator& pos, bool& inserted) {
    if (h == Hint::kNone) {
      auto r = call([&] { return m.insert(std::move(held_)); });
      pos = r.position;
      inserted = r.inserted;
      held_ = std::move(r.node);
    } else {
      const typename Map::const_iterator hint = h == Hint::kBegin ? m.cbegin() : m.cend();
      pos = call([&] { return m.insert(hint, std::move(held_)); });
      inserted = held_.empty() && pos != m.end();
    }
  };
  // std requires the node's allocator to equal the map's: otherwise a
  // no-op, the node stays held (trace: "skipped if ...").
  if constexpr (kTracked)
    if (!oheld_.empty() && held_alloc_.id != walk_.slot[cur_].id) return;
  typename Map::iterator pos;
  bool inserted = false;
  if (oheld_.empty()) {
    insert_held(pos, inserted);
    if (pos != m.end() || inserted || !held_.empty())
      fail(std::string(what) + " of an empty node must return end(), inserted=false and an empty node");
    return;
  }
  const Key k = held_.key();
  const OValue v = L::ovalue(held_.mapped());
  const OValue* had = md.find(k);
  const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
  const void* addr = &held_.key();
  insert_held(pos, inserted);
  if (old) {
    if (held_.empty())
      fail(std::string(what) + " of a present key " + key_text(k) +
           " lost the node (it must come back unchanged, as std and absl do)");
    if (inserted) fail(std::string(what) + " of a present key " + key_text(k) + " reported inserted=true");
    check_result_it(m, pos, k, *old, what);
    check_held(what);
  } else {
    if (!inserted) fail(std::string(what) + " of an absent key " + key_text(k) + " did not insert it");
    check_result_it(m, pos, k, v, what);
    if (kIndirect && static_cast<const void*>(&pos->first) != addr)
      fail(std::string(what) + " moved the node's entry: " + rule_message(Rule::kNodeKeepsIndirect));
    auto r = md.insert_node(std::move(oheld_));
    if (!r.inserted) fail("internal: the oracle did not take the node");
    oheld_ = typename Model<L>::Node();
    held_addr_ = nullptr;
    pin(maps_[cur_], L::okey(k), &*pos);
    check_at_growth_points(m);
  }
  check_key(m, md, k);
}

}  // namespace swisscheck
