// Interpreter<L>'s handlers of the ops on the current map (check/interpreter.h):
// each runs the op on the map and the oracle and compares the results. The
// op's keys, counts and variants come from check/rules.h.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

template <class L>
void Interpreter<L>::op_insert(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const Value v = L::make_value(op.value);
  const OValue ov = L::ovalue(v);
  const OValue* had = md.find(k);
  const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
  std::pair<typename Map::iterator, bool> r;
  if (op.code == Code::kInsert) {
    typename Map::value_type p(k, v);
    r = call([&] { return m.insert(p); });
  } else if (op.code == Code::kEmplace) {
    Key k2 = k;
    Value v2 = v;
    r = call([&] { return m.emplace(std::move(k2), std::move(v2)); });
  } else if (op.code == Code::kTryEmplace) {
    Key k2 = k;
    r = call([&] { return m.try_emplace(std::move(k2), v); });
    if (old && !same_key(k2, k)) fail("try_emplace moved from its key although the key was present");
  } else {
    r = call([&] { return m.insert_or_assign(k, v); });
  }
  if (r.second == old.has_value())
    fail(std::string(name(op.code)) + "(" + key_text(k) + ") returned inserted=" +
         (r.second ? "true" : "false") + ", but the key was " + (old ? "present" : "absent"));
  const bool assigns = op.code == Code::kInsertOrAssign;
  check_result_it(m, r.first, k, old && !assigns ? *old : ov, name(op.code));
  if (!old) pin(maps_[cur_], model_add(md, k, ov), &*r.first);
  else if (assigns) md.set(L::okey(k), ov);
  check_key(m, md, k);
  if (!old) check_at_growth_points(m);
}

template <class L>
void Interpreter<L>::op_index(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const OValue* had = md.find(k);
  const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
  const std::size_t before = m.size();
  Value* ref;
  if (op.value & 1) {
    Key k2 = k;
    ref = &call([&]() -> Value& { return m[std::move(k2)]; });
  } else {
    ref = &call([&]() -> Value& { return m[k]; });
  }
  if (m.size() != before + (old ? 0 : 1)) fail("operator[] changed size() wrongly");
  const OValue start = old ? *old : default_ovalue();
  if (!(L::ovalue(*ref) == start))
    fail("operator[](" + key_text(k) + ") gives " + show_obj(*ref) + ", expected " + show_obj(start) +
         (old ? "" : " (a new entry must be value-initialised: delete clears elem)"));
  OKey id = old ? L::okey(k) : model_add(md, k, start);
  if (op.code == Code::kIndexBump) {
    L::bump(*ref);
    md.set(id, L::obump(start));
  } else {
    const Value v = L::make_value(op.value);
    call([&] { *ref = v; });
    md.set(id, L::ovalue(v));
  }
  check_key(m, md, k);
  if (!old) check_at_growth_points(m);
}

template <class L>
void Interpreter<L>::op_find(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  auto it = call([&] { return m.find(k); });
  if (const OValue* want = md.find(k)) check_result_it(m, it, k, *want, "find");
  else if (it != m.end()) fail("find(" + key_text(k) + ") found a key the oracle does not hold");
}

template <class L>
void Interpreter<L>::op_erase_key(const Op& op, Tracker* t) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const bool present = md.find(k) != nullptr;
  const ErasedSlot slot = table_slot_of(m, k);
  const std::size_t r = call([&] { return m.erase(k); });
  if (r != (present ? 1u : 0u))
    fail("erase(" + key_text(k) + ") returned " + std::to_string(r) + ", the key was " +
         (present ? "present" : "absent"));
  if (present) {
    check_cleared(m, slot, k);
    md.erase(L::okey(k));
    if (t) t->on_erase(L::okey(k));
  }
  check_key(m, md, k);
}

template <class L>
void Interpreter<L>::op_erase_found(const Op& op, Tracker* t) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  auto it = call([&] { return m.find(k); });
  const bool present = md.find(k) != nullptr;
  if ((it != m.end()) != present) fail("find(" + key_text(k) + ") disagrees with the oracle");
  if (!present) return;
  const ErasedSlot slot = table_slot_of(m, k);
  auto next = call([&] { return m.erase(it); });
  check_cleared(m, slot, k);
  md.erase(L::okey(k));
  if (t) t->on_erase(L::okey(k));
  if (next != m.end()) {
    const Key& nk = next->first;
    if (!L::is_nan(nk) && !md.find(nk))
      fail("erase(iterator) returned an iterator to " + key_text(nk) + ", which is not in the map");
  }
  check_key(m, md, k);
}

template <class L>
void Interpreter<L>::op_clear(const Op& op, Tracker* t) {
  Map& m = map();
  Model<L>& md = model();
  charge(size_cost(op, m.size()));
  const std::uint64_t seed = Access::seed(m);
  call([&] { m.clear(); });
  if (Access::seed(m) == seed) fail("clear() kept the map's seed: " + rule_message(Rule::kEmptyingRedrawsSeed));
  md.clear();
  if (t) t->on_clear();
  if (m.begin() != m.end()) fail("begin() != end() after clear()");
}

template <class L>
void Interpreter<L>::op_reserve(const Op& op) {
  Map& m = map();
  charge(size_cost(op, m.size()));
  if (op.n == kAbsurdSize) {
    const std::size_t sizes[3] = {std::numeric_limits<std::size_t>::max(),
                                  std::numeric_limits<std::size_t>::max() / 2,
                                  m.max_size() < std::numeric_limits<std::size_t>::max() ? m.max_size() + 1
                                                                                         : m.max_size()};
    for (std::size_t n : sizes) {
      bool threw = false;
      try {
        call([&] { m.reserve(n); });
      } catch (const std::length_error&) {
        threw = true;
      }
      if (!threw) fail("reserve(" + std::to_string(n) + ") did not throw std::length_error");
    }
  } else {
    call([&] { m.reserve(op.n); });
  }
}

template <class L>
void Interpreter<L>::op_insert_many(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const std::uint32_t n = bulk_count(op.n, L::kIndexLimit);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t x = bulk_key(op.key, i, L::kIndexLimit);
    const Key k = L::make_key(x);
    const bool present = md.find(k) != nullptr;
    bool inserted;
    if (insert_many_try_emplaces(i)) {
      inserted = call([&] { return m.try_emplace(k, L::make_value(bulk_value(x))).second; });
    } else {
      typename Map::value_type p(k, L::make_value(bulk_value(x)));
      inserted = call([&] { return m.insert(p).second; });
    }
    if (inserted == present)
      fail("insert_many: insert(" + key_text(k) + ") returned inserted=" + (inserted ? "true" : "false"));
    if (inserted) {
      model_add(md, k, L::ovalue(L::make_value(bulk_value(x))));
      check_at_growth_points(m);
    }
  }
  check_size(m, md, "after insert_many");
}

template <class L>
void Interpreter<L>::op_erase_many(const Op& op, Tracker* t) {
  Map& m = map();
  Model<L>& md = model();
  const std::uint32_t n = bulk_count(op.n, L::kIndexLimit);
  for (std::uint32_t i = 0; i < n; ++i) {
    const Key k = L::make_key(bulk_key(op.key, i, L::kIndexLimit));
    const bool present = md.find(k) != nullptr;
    // TestAccess::slot_is_zero scans every table for the slot: check a
    // sample, or a bulk erase of a big map costs seconds.
    const ErasedSlot slot = present && i % 64 == 0 ? table_slot_of(m, k) : ErasedSlot{};
    const std::size_t r = call([&] { return m.erase(k); });
    if (r != (present ? 1u : 0u))
      fail("erase_many: erase(" + key_text(k) + ") returned " + std::to_string(r) + ", the key was " +
           (present ? "present" : "absent"));
    if (present) {
      check_cleared(m, slot, k);
      md.erase(L::okey(k));
      if (t) t->on_erase(L::okey(k));
    }
  }
  check_size(m, md, "after erase_many");
}

template <class L>
void Interpreter<L>::op_insert_hint(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const Value v = L::make_value(op.value);
  const OValue* had = md.find(k);
  const std::optional<OValue> old = had ? std::optional<OValue>(*had) : std::nullopt;
  typename Map::iterator it;
  const Hint h = hint_kind(op.n);
  if (h == Hint::kNone) {
    typename Map::value_type p(k, v);
    it = call([&] { return m.insert(m.find(k), p); });
  } else if (h == Hint::kBegin) {
    it = call([&] { return m.emplace_hint(m.begin(), k, v); });
  } else {
    it = call([&] { return m.try_emplace(m.end(), k, v); });
  }
  check_result_it(m, it, k, old ? *old : L::ovalue(v), "insert with hint");
  if (!old) model_add(md, k, L::ovalue(v));
  check_key(m, md, k);
}

template <class L>
void Interpreter<L>::op_contains(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const bool present = md.find(k) != nullptr;
  const bool got = op.code == Code::kContains ? call([&] { return m.contains(k); })
                                              : call([&] { return m.count(k); }) == 1;
  if (got != present) fail(std::string(name(op.code)) + "(" + key_text(k) + ") disagrees with the oracle");
}

template <class L>
void Interpreter<L>::op_at(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  const OValue* want = md.find(k);
  try {
    const Value& v = (op.key & 1) ? call([&]() -> const Value& { return std::as_const(m).at(k); })
                                  : call([&]() -> const Value& { return m.at(k); });
    if (!want) fail("at(" + key_text(k) + ") did not throw std::out_of_range for an absent key");
    if (!(L::ovalue(v) == *want)) fail("at(" + key_text(k) + ") returned " + show_obj(v) + ", expected " + show_obj(*want));
  } catch (const std::out_of_range&) {
    if (want) fail("at(" + key_text(k) + ") threw std::out_of_range for a present key");
  }
}

template <class L>
void Interpreter<L>::op_equal_range(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const Key k = key_of(op.key);
  auto [a, b] = call([&] { return m.equal_range(k); });
  if (const OValue* want = md.find(k)) {
    check_result_it(m, a, k, *want, "equal_range");
    if (std::next(a) != b) fail("equal_range(" + key_text(k) + ") spans more or less than one entry");
  } else if (a != m.end() || b != m.end()) {
    fail("equal_range(" + key_text(k) + ") of an absent key is not {end(), end()}");
  }
}

template <class L>
void Interpreter<L>::op_erase_range(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const std::size_t n = erase_range_count(op.n, m.size());
  std::vector<OKey> ids;
  typename Model<L>::Matcher matcher(md);
  auto last = m.begin();
  for (std::size_t i = 0; i < n; ++i, ++last) {
    const auto* e = matcher.match(last->first, L::ovalue(last->second));
    if (!e) fail("erase_range: iteration yields " + key_text(last->first) + ", which the oracle does not hold");
    ids.push_back(e->first);
  }
  auto r = call([&] { return m.erase(m.begin(), last); });
  if (r != last) fail("erase(first, last) did not return last");
  for (const OKey& id : ids) md.erase(id);
  check_size(m, md, "after erase(first, last)");
}

template <class L>
void Interpreter<L>::op_erase_if(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  auto pred = [&](const typename Map::value_type& e) {
    return erase_if_erases(fingerprint(L::okey(e.first)), op.n);
  };
  std::vector<OKey> doomed;
  for (const auto& [id, v] : md.entries())
    if (erase_if_erases(fingerprint(id), op.n)) doomed.push_back(id);
  std::size_t r = 0;
  try {
    r = call([&] { return swiss::erase_if(m, pred); });
  } catch (...) {
    // A throw (hash or equality, e.g. while an erase merges tables) may
    // stop it half way, as std::erase_if: what it erased stays erased,
    // every entry it was not to erase stays, nothing else changes.
    const Model<L> before = md;
    Model<L> keep = md;
    for (const OKey& id : doomed) keep.erase(id);
    resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
      const OValue* had = before.find(k);
      return had && *had == v;
    }, &keep);
    throw;
  }
  if (r != doomed.size())
    fail("erase_if erased " + std::to_string(r) + " entries, expected " + std::to_string(doomed.size()));
  for (const OKey& id : doomed) md.erase(id);
  check_size(m, md, "after erase_if");
}

template <class L>
void Interpreter<L>::op_insert_range(const Op& op) {
  Map& m = map();
  Model<L>& md = model();
  const std::uint32_t n = insert_range_size(op.n);
  std::vector<std::pair<Key, Value>> range;
  range.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t x = insert_range_key(op.key, n, i, L::kIndexLimit);
    range.emplace_back(L::make_key(x), L::make_value(bulk_value(x)));
  }
  charge(md.size());
  const Model<L> before = md;
  try {
    call([&] { m.insert(range.begin(), range.end()); });
  } catch (...) {
    // May stop half way: keeps what it had, adds only the range's keys.
    resync_after_partial(m, md, [&](const Key& k, const OValue& v) {
      if (const OValue* had = before.find(k)) return *had == v;
      for (const auto& [rk, rv] : range)
        if (same_key(rk, k)) return L::ovalue(rv) == v;
      return false;
    }, &before);
    throw;
  }
  for (const auto& [k, v] : range)
    if (!md.find(k)) model_add(md, k, L::ovalue(v));
  check_size(m, md, "after insert(first, last)");
}

template <class L>
void Interpreter<L>::op_iterate() {
  Map& m = map();
  Model<L>& md = model();
  charge(m.size());
  absl::flat_hash_set<const void*> seen;  // the oracle's entries matched so far
  typename Model<L>::Matcher matcher(md);
  std::size_t n = 0;
  const Map& cm = m;
  for (const auto& [k, v] : cm) {
    ++n;
    const auto* e = matcher.match(k, L::ovalue(v));
    if (!e) fail("iteration yields " + key_text(k) + " -> " + show_obj(v) + ", which the oracle does not hold");
    if (!(e->second == L::ovalue(v))) fail("iteration yields a stale value for " + key_text(k));
    if (!seen.insert(e).second) fail("iteration yields " + key_text(k) + " twice");
  }
  if (n != md.size())
    fail("iteration yields " + std::to_string(n) + " entries, the oracle holds " + std::to_string(md.size()));
}

template <class L>
void Interpreter<L>::op_rehash(const Op& op) {
  Map& m = map();
  charge(size_cost(op, m.size()));
  call([&] { m.rehash(op.n); });
}

template <class L>
void Interpreter<L>::op_arm_fault([[maybe_unused]] const Op& op) {
  if constexpr (L::kFaults) Ledger::current().arm(fault_kind(op.n), op.value);
}

template <class L>
void Interpreter<L>::op_check() {
  Map& m = map();
  Model<L>& md = model();
  // Unchanged since its last full check: the same check again finds nothing.
  if (maps_[cur_].unchecked_work == 0) return;
  charge(full_check_cost(m.size()));
  check_full(m, md, "check", &maps_[cur_].pins);
  maps_[cur_].unchecked_work = 0;
}

}  // namespace swisscheck
