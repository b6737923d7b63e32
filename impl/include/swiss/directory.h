// The directory: which table owns a hash (extendible hashing, as in Go's
// runtime map).
//
// 2^depth entries, indexed by the top `depth` bits of the hash (the global
// depth). A table of local depth d <= depth owns the hashes whose top d bits
// are its own, so it covers 2^(depth - d) consecutive entries, its span,
// starting at an index that is a multiple of the span; the table records
// that first index (Table::index). Splitting a table raises its local depth
// and halves its span; when a table at the global depth must split, the
// directory doubles first (every entry becomes two). That keeps every
// rebuild local: the directory never has to move an entry, only to point
// its entries at new tables.
//
// At depth 0 the directory is its own one entry, `single_`, and the array
// pointer points at it: a small map allocates its one table and nothing
// else, and a lookup reads dir_[index_of(hash)] with no test for which case
// it is in. The price is a directory that points into itself: it cannot be
// copied, and moving it between maps (steal, swap) re-points it. Only this
// file knows that; everything else asks for entries by index or by hash.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "swiss/pointer.h"

namespace swiss::detail {

// A table pointer as the directory stores it: tables are 16-byte aligned,
// so the low 4 bits carry log2(capacity) - 3 (15: read the header). A lookup
// then finds the control words and slots from the directory entry alone,
// without a dependent load of the table header. Ref is how a table pointer
// is stored (stored_ptr): with an allocator whose pointer is a class type no
// bits can be borrowed, so the entry holds that pointer and capacity() reads
// the header.
template <class T, class Ref = T*>
class TablePtr {
 public:
  TablePtr() = default;
  TablePtr(std::nullptr_t) {}
  TablePtr(T* t) : ref_(t) {}
  T* get() const { return ref_; }
  operator T*() const { return get(); }
  T* operator->() const { return get(); }
  std::uint32_t capacity() const { return get()->capacity; }

 private:
  Ref ref_ = nullptr;
};

template <class T>
class TablePtr<T, T*> {
 public:
  static constexpr std::uintptr_t kTagMask = 15;
  TablePtr() = default;
  TablePtr(std::nullptr_t) {}
  TablePtr(T* t) : bits_(reinterpret_cast<std::uintptr_t>(t)) {
    if (t == nullptr) return;
    if ((bits_ & kTagMask) != 0) {
      std::fprintf(stderr, "swiss::Map: the allocator returned memory not aligned to 16 bytes\n");
      std::abort();
    }
    const unsigned log2 = static_cast<unsigned>(std::countr_zero(t->capacity));
    bits_ |= log2 - 3 < kTagMask ? log2 - 3 : kTagMask;
  }
  T* get() const { return reinterpret_cast<T*>(bits_ & ~kTagMask); }
  operator T*() const { return get(); }
  T* operator->() const { return get(); }
  std::uint32_t capacity() const {
    const unsigned tag = bits_ & kTagMask;
    return tag == kTagMask ? get()->capacity : std::uint32_t{8} << tag;
  }

 private:
  std::uintptr_t bits_ = 0;
};

template <class Table, class Alloc>
class Directory {
 public:
  // A directory entry. The array of them lives in the allocator's memory,
  // held in the allocator's pointer type (raw pointers for std::allocator;
  // see pointer.h), so a map in a mapped file keeps a directory that is
  // valid at any address.
  using Entry = TablePtr<Table, stored_ptr<Alloc, Table>>;
  using Array = stored_ptr<Alloc, Entry>;

  Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  unsigned depth() const { return depth_; }
  std::size_t size() const { return std::size_t{1} << depth_; }
  // The single-table case: depth 0, where the one entry (null before the
  // map's first table) is held here, not in an array.
  bool single() const { return depth_ == 0; }
  // No table at all: a map that has not inserted yet, or was moved from.
  bool empty() const { return depth_ == 0 && single_ == nullptr; }

  // The index of a hash: its top depth() bits, as two shifts so that depth
  // 0 needs no branch (a shift by 64 is undefined).
  std::size_t index_of(std::uint64_t hash) const { return (hash >> 1) >> shift_; }
  // The entry for a hash, with the table's capacity in its tag (the lookup path).
  Entry entry_for(std::uint64_t hash) const { return dir_[index_of(hash)]; }
  Table* at(std::size_t i) const { return dir_[i]; }
  // How many entries a table covers at the current depth.
  std::size_t span(const Table* t) const { return std::size_t{1} << (depth_ - t->local_depth); }

  // The buddy of a table at local depth > 0: the table covering the other
  // half of the run the two split from (null if that half has split further).
  Table* buddy_of(const Table* t) const {
    const std::size_t span = this->span(t);
    Table* b = at(t->index ^ span);
    return b->local_depth == t->local_depth ? b : nullptr;
  }
  // Whether a table is the left (lower) half of its buddy pair.
  bool is_left_half(const Table* t) const { return (t->index & span(t)) == 0; }

  // The map's first table (local depth 0, index 0), into a directory with
  // none: one store, for the insert path that builds the small map.
  void install_first(Table* t) { single_ = t; }
  // Points the run of entries a table of its local depth covers from `first`
  // at it (at depth 0 the one entry is single_).
  void install(Table* t, std::size_t first) {
    t->index = static_cast<std::uint32_t>(first);
    const std::size_t span = this->span(t);
    for (std::size_t e = 0; e < span; ++e) dir_[first + e] = t;
  }

  // Doubles the directory: entry i becomes entries 2i and 2i+1, so every
  // table covers twice as many entries and starts at twice its index.
  void grow(const Alloc& alloc) {
    const std::size_t old_size = size();
    Entry* next = allocate_array<Entry>(alloc, old_size * 2);
    for (std::size_t i = 0; i < old_size * 2; ++i) next[i] = dir_[i / 2];
    if (depth_ > 0) deallocate_array<Entry>(alloc, dir_, old_size);
    dir_ = next;
    single_ = nullptr;
    ++depth_;
    --shift_;
    for (std::size_t i = 0; i < size(); ++i)
      if (i == 0 || dir_[i] != dir_[i - 1]) dir_[i]->index = static_cast<std::uint32_t>(i);
  }

  // Calls f once per table (the directory lists a table once per entry it
  // covers), in index order.
  template <class F>
  void for_each_table(F&& f) const {
    for (std::size_t i = 0; i < size();) {
      Table* t = at(i);
      if (t == nullptr) return;
      i += span(t);  // before f, which may free t
      f(t);
    }
  }

  // Frees the array and goes back to depth 0 with no table. The tables are
  // the caller's to release first.
  void reset(const Alloc& alloc) noexcept {
    if (depth_ > 0) deallocate_array<Entry>(alloc, dir_, size());
    single_ = nullptr;
    set_depth_zero();
  }
  // Takes other's tables (this directory holds none); other is left empty.
  void steal(Directory& other) noexcept {
    single_ = std::exchange(other.single_, nullptr);
    dir_ = other.depth_ == 0 ? std::addressof(single_) : static_cast<Entry*>(other.dir_);
    depth_ = other.depth_;
    shift_ = other.shift_;
    other.set_depth_zero();
  }
  void swap(Directory& other) noexcept {
    using std::swap;
    swap(single_, other.single_);
    swap(dir_, other.dir_);
    swap(depth_, other.depth_);
    swap(shift_, other.shift_);
    if (depth_ == 0) dir_ = std::addressof(single_);
    if (other.depth_ == 0) other.dir_ = std::addressof(other.single_);
  }

  // What is wrong with the representation (the depth-0 case, the shift), or
  // null; for check_invariants, which checks the entries themselves.
  const char* broken() const {
    if (depth_ == 0 && dir_ != std::addressof(single_)) return "depth 0 but the directory is not the single table";
    if (depth_ != 0 && single_ != nullptr) return "depth > 0 but the single-table pointer is set";
    if (shift_ != 63 - depth_) return "the directory shift does not match the global depth";
    return nullptr;
  }

 private:
  // At depth 0 the array is single_ itself, so dir_ points into *this.
  void set_depth_zero() noexcept {
    dir_ = std::addressof(single_);
    depth_ = 0;
    shift_ = 63;
  }

  Entry single_ = nullptr;  // the only entry while depth_ == 0
  Array dir_ = std::addressof(single_);  // 2^depth_ entries (&single_ at depth 0)
  std::uint8_t depth_ = 0;
  std::uint8_t shift_ = 63;  // 63 - depth_
};

}  // namespace swiss::detail
