// The oracle: what the map must hold, kept in absl::flat_hash_map keyed by the
// lane's oracle identity (OKey). NaN-like keys are modelled separately: every
// insert of one adds an entry with a fresh serial (lanes.h, DoubleKeyId), and
// an entry the map yields is matched to a NaN identity with the same bits and
// value (resolve()).
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace swisscheck {

template <class L>
class Model {
 public:
  using Key = typename L::Key;
  using OKey = typename L::OKey;
  using OValue = typename L::OValue;
  using Entries = absl::flat_hash_map<OKey, OValue, typename L::OHash>;

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const Entries& entries() const { return entries_; }
  bool has_nan() const { return !nans_.empty(); }
  const std::vector<OKey>& nans() const { return nans_; }

  // The value of an ordinary key, or nullptr. NaN keys are never found.
  const OValue* find(const Key& k) const {
    if (L::is_nan(k)) return nullptr;
    return find_id(L::okey(k));
  }
  const OValue* find_id(const OKey& id) const {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Adds an entry for a key the map does not hold (for a NaN: always); returns
  // its identity.
  OKey add(const Key& k, OValue v) {
    OKey id = L::okey(k);
    if constexpr (L::kHasNaN) {
      if (L::is_nan(k)) {
        id.serial = ++next_serial();
        nans_.push_back(id);
      }
    }
    entries_[id] = std::move(v);
    return id;
  }
  void set(const OKey& id, OValue v) { entries_[id] = std::move(v); }
  bool erase(const OKey& id) {
    if (entries_.erase(id) == 0) return false;
    forget_nan(id);
    return true;
  }
  void clear() {
    entries_.clear();
    nans_.clear();
  }

  // Node handles, as the map's (absl's own node handles).
  using Node = typename Entries::node_type;
  Node extract_id(const OKey& id) {
    Node n = entries_.extract(id);
    if (n) forget_nan(id);
    return n;
  }
  typename Entries::insert_return_type insert_node(Node&& n) {
    if (!n) return entries_.insert(std::move(n));
    // A NaN is never found, so its node always goes in; a copy of a map
    // shares its NaN identities, so one already here gets a fresh serial.
    if constexpr (L::kHasNaN)
      if (is_nan_id(n.key()) && entries_.contains(n.key())) n.key().serial = ++next_serial();
    const OKey id = n.key();
    auto r = entries_.insert(std::move(n));
    if constexpr (L::kHasNaN)
      if (r.inserted && id.serial != 0) nans_.push_back(id);
    return r;
  }
  static bool is_nan_id(const OKey& id) {
    if constexpr (L::kHasNaN)
      return id.serial != 0;
    else
      return false;
  }
  // merge(src): every entry of src whose identity is absent here (every NaN:
  // a NaN is never found) moves here; the rest stay in src.
  void merge_from(Model& src) {
    std::vector<OKey> moving;
    for (const auto& [id, v] : src.entries_)
      if (is_nan_id(id) || !entries_.contains(id)) moving.push_back(id);
    for (const OKey& id : moving) insert_node(src.extract_id(id));
  }

  // The identity of an entry (k, v) the map holds, among those `taken` does
  // not exclude: for an ordinary key its own identity (if present), for a NaN
  // one with the same bits and value (preferring `prefer`ed ones). nullopt if
  // the oracle has no such entry.
  template <class Taken, class Prefer>
  std::optional<OKey> resolve(const Key& k, const OValue& v, Taken taken, Prefer prefer) const {
    if constexpr (L::kHasNaN) {
      if (L::is_nan(k)) {
        const std::uint64_t bits = L::okey(k).bits;
        std::optional<OKey> fallback;
        for (const OKey& id : nans_) {
          if (id.bits != bits || taken(id)) continue;
          if (!(entries_.at(id) == v)) continue;
          if (prefer(id)) return id;
          if (!fallback) fallback = id;
        }
        return fallback;
      }
    }
    OKey id = L::okey(k);
    if (entries_.find(id) == entries_.end()) return std::nullopt;
    return id;
  }

  // Matches the entries one pass over the map yields to the oracle's
  // entries, like resolve() with `taken` = those matched so far: an ordinary
  // key to its own entry (if present), a NaN to one not yet handed out with
  // the same bits and value. NaN entries wait in buckets by (bits, value), so
  // a pass is linear in the NaN count (resolve() scans every NaN per call).
  // The entries are the oracle's own (stable while it does not change): a
  // caller can tell them apart by address instead of copying keys.
  class Matcher {
   public:
    using Entry = typename Entries::value_type;
    explicit Matcher(const Model& m) : m_(m) {
      if constexpr (L::kHasNaN)
        for (auto it = m.nans_.rbegin(); it != m.nans_.rend(); ++it) {
          const Entry& e = *m.entries_.find(*it);
          pool_[{it->bits, e.second}].push_back(&e);
        }
    }
    const Entry* match(const Key& k, const OValue& v) {
      if constexpr (L::kHasNaN) {
        if (L::is_nan(k)) {
          auto it = pool_.find(std::pair<std::uint64_t, OValue>(L::okey(k).bits, v));
          if (it == pool_.end() || it->second.empty()) return nullptr;
          const Entry* e = it->second.back();
          it->second.pop_back();
          return e;
        }
      }
      auto it = m_.entries_.find(L::okey(k));
      return it == m_.entries_.end() ? nullptr : &*it;
    }

   private:
    const Model& m_;
    absl::flat_hash_map<std::pair<std::uint64_t, OValue>, std::vector<const Entry*>> pool_;
  };

  // std::unordered_map's ==: same size and every entry found in the other
  // with an equal value. A NaN is never found, so a map holding one equals no
  // map (not even itself).
  bool equals(const Model& o) const {
    if (size() != o.size()) return false;
    if (has_nan() || o.has_nan()) return empty() && o.empty();
    for (const auto& [id, v] : entries_) {
      const OValue* w = o.find_id(id);
      if (!w || !(*w == v)) return false;
    }
    return true;
  }

 private:
  void forget_nan(const OKey& id) {
    if constexpr (L::kHasNaN) {
      if (id.serial != 0)
        for (std::size_t i = 0; i < nans_.size(); ++i)
          if (nans_[i] == id) {
            nans_[i] = nans_.back();
            nans_.pop_back();
            break;
          }
    }
  }
  static std::uint64_t& next_serial() {
    thread_local std::uint64_t serial = 0;
    return serial;
  }
  Entries entries_;
  std::vector<OKey> nans_;  // identities of NaN entries (kHasNaN lanes)
};

}  // namespace swisscheck
