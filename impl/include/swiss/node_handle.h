// A node handle: one entry taken out of a map (extract) that can go into
// another map of the same key, value and allocator types (insert(node_type&&))
// without copying its key or value, as std's and absl's node handles.
//
// A flat table has no node to hand over, so the handle owns the entry's slot
// bytes: an inline entry is moved into the handle (and moved again into the
// map it is inserted into); an indirect entry (key or value over 128 bytes)
// is a pointer to a heap object, and only the pointer moves: the object keeps
// its address from extract to insert, as it does across growth.
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace swiss {
template <class K, class V, class H, class Eq, class Alloc>
class Map;
}  // namespace swiss

namespace swiss::detail {

template <class Policy>
class NodeHandle {
  using Slot = typename Policy::Slot;
  template <class, class, class, class, class>
  friend class ::swiss::Map;

 public:
  using key_type = typename Policy::key_type;
  using mapped_type = typename Policy::mapped_type;
  using allocator_type = typename Policy::allocator_type;

  constexpr NodeHandle() noexcept = default;
  NodeHandle(NodeHandle&& o) noexcept(Policy::kNothrowRelocate) { take(o); }
  NodeHandle& operator=(NodeHandle&& o) noexcept(Policy::kNothrowRelocate) {
    if (this != std::addressof(o)) {
      reset();
      take(o);
    }
    return *this;
  }
  NodeHandle(const NodeHandle&) = delete;
  NodeHandle& operator=(const NodeHandle&) = delete;
  ~NodeHandle() { reset(); }

  [[nodiscard]] bool empty() const noexcept { return !alloc_.has_value(); }
  explicit operator bool() const noexcept { return !empty(); }
  allocator_type get_allocator() const { return *alloc_; }

  // As std: the key may be changed before the node goes back into a map.
  key_type& key() const { return const_cast<key_type&>(Policy::element(slot())->first); }
  mapped_type& mapped() const { return Policy::element(slot())->second; }

  void swap(NodeHandle& o) noexcept(Policy::kNothrowRelocate) {
    NodeHandle tmp(std::move(o));
    o = std::move(*this);
    *this = std::move(tmp);
  }
  friend void swap(NodeHandle& a, NodeHandle& b) noexcept(noexcept(a.swap(b))) { a.swap(b); }

 private:
  Slot* slot() const { return reinterpret_cast<Slot*>(const_cast<unsigned char*>(bytes_)); }

  // Fills the empty handle from a map's slot (which the map then frees).
  // Builds an entry in the empty handle from constructor arguments.
  template <class... Args>
  void emplace(const allocator_type& a, Args&&... args) {
    allocator_type al(a);
    Policy::construct(al, slot(), std::forward<Args>(args)...);
    alloc_.emplace(a);
  }
  void fill_from(const allocator_type& a, Slot* from) {
    relocate_or_copy(a, slot(), from);
    alloc_.emplace(a);
  }
  // The entry left for a map's slot: the handle is empty afterwards.
  void release_to(Slot* to) {
    relocate_or_copy(*alloc_, to, slot());
    alloc_.reset();
  }

  // Moves the entry when that cannot throw; otherwise copies it and destroys
  // the original once the copy stands, so a throw leaves the entry where it
  // was (a type with a throwing move and no copy moves anyway).
  static void relocate_or_copy(const allocator_type& a, Slot* to, Slot* from) {
    allocator_type al(a);
    if constexpr (!Policy::kNothrowRelocate && Policy::kCanCopy) {
      Policy::copy(al, to, from);
      Policy::destroy(al, from);
    } else {
      Policy::relocate(al, to, from);
    }
  }

  void take(NodeHandle& o) {
    if (o.empty()) return;
    relocate_or_copy(*o.alloc_, slot(), o.slot());
    alloc_.emplace(std::move(*o.alloc_));  // constructed, never assigned: an allocator need not be assignable
    o.alloc_.reset();
  }
  void reset() noexcept {
    if (empty()) return;
    Policy::destroy(*alloc_, slot());
    alloc_.reset();
  }

  std::optional<allocator_type> alloc_;
  alignas(Slot) unsigned char bytes_[sizeof(Slot)];
};

// What insert(node_type&&) returns: where the key is, whether the node went
// in, and the node itself when it did not (its key was present).
template <class Iterator, class Node>
struct InsertReturn {
  Iterator position;
  bool inserted;
  Node node;
};

}  // namespace swiss::detail
