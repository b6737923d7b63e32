// A map whose allocator hands out self-relative pointers (an offset from the
// pointer's own address, as boost::interprocess::offset_ptr) lives, with all
// its memory, in one arena. Copying the arena elsewhere and freeing the
// original is what a second process mapping the same file at another
// address sees: the copy must work as the map, since everything the map
// keeps in its allocator's memory is held in the allocator's pointer type.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>

#include "swiss/map.h"

template <class T>
class OffPtr {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using difference_type = std::ptrdiff_t;
  using iterator_category = std::random_access_iterator_tag;

  OffPtr() noexcept { set(nullptr); }
  OffPtr(std::nullptr_t) noexcept { set(nullptr); }
  explicit OffPtr(T* p) noexcept { set(p); }
  OffPtr(const OffPtr& o) noexcept { set(o.get()); }  // recomputed: the offset is from this object
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  OffPtr(const OffPtr<U>& o) noexcept {
    set(o.get());
  }
  OffPtr& operator=(const OffPtr& o) noexcept {
    set(o.get());
    return *this;
  }
  T* get() const noexcept {
    return off_ == 1 ? nullptr : reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(this) + off_);
  }
  T* operator->() const noexcept { return get(); }
  template <class U = T, class = std::enable_if_t<!std::is_void_v<U>>>
  U& operator*() const noexcept {
    return *get();
  }
  template <class U = T, class = std::enable_if_t<!std::is_void_v<U>>>
  U& operator[](std::ptrdiff_t i) const noexcept {
    return get()[i];
  }
  OffPtr operator+(std::ptrdiff_t i) const noexcept { return OffPtr(get() + i); }
  explicit operator bool() const noexcept { return off_ != 1; }
  friend bool operator==(const OffPtr& a, const OffPtr& b) noexcept { return a.get() == b.get(); }
  friend bool operator==(const OffPtr& a, std::nullptr_t) noexcept { return a.off_ == 1; }
  template <class U = T, class = std::enable_if_t<!std::is_void_v<U>>>
  static OffPtr pointer_to(U& r) noexcept {
    return OffPtr(std::addressof(r));
  }

 private:
  void set(const volatile void* p) noexcept {
    // 1 is never a distance between two 8-aligned addresses: it means null
    off_ = p ? static_cast<std::intptr_t>(reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(this)) : 1;
  }
  std::intptr_t off_;
};

// A bump arena; its fill level is kept inside it, so a copy carries on.
constexpr std::size_t kArenaBytes = std::size_t{32} << 20;
inline unsigned char* arena = nullptr;

void* arena_take(std::size_t bytes) {
  auto* used = reinterpret_cast<std::size_t*>(arena);
  const std::size_t at = (*used + 63) / 64 * 64;
  if (at + bytes > kArenaBytes) throw std::bad_alloc();
  *used = at + bytes;
  return arena + at;
}

template <class T>
struct ArenaAlloc {
  using value_type = T;
  using pointer = OffPtr<T>;
  ArenaAlloc() = default;
  template <class U>
  ArenaAlloc(const ArenaAlloc<U>&) {}
  pointer allocate(std::size_t n) { return pointer(static_cast<T*>(arena_take(n * sizeof(T)))); }
  void deallocate(pointer, std::size_t) {}  // a bump arena frees at the end
  template <class U>
  bool operator==(const ArenaAlloc<U>&) const { return true; }
};

using Pair = std::pair<const std::uint64_t, std::uint64_t>;
using M = swiss::Map<std::uint64_t, std::uint64_t, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     ArenaAlloc<Pair>>;

// The arena's bytes as a file holds them: the map poisons its empty slots for
// ASan, which a copy of the raw bytes must not trip over (hence no memcpy).
[[gnu::no_sanitize_address]] void copy_arena(unsigned char* to, const unsigned char* from) {
  auto* d = reinterpret_cast<volatile std::uint64_t*>(to);
  auto* s = reinterpret_cast<const volatile std::uint64_t*>(from);
  for (std::size_t i = 0; i < kArenaBytes / 8; ++i) d[i] = s[i];
}

unsigned char* new_arena() {
  return static_cast<unsigned char*>(::operator new(kArenaBytes, std::align_val_t{64}));
}

int main() {
  for (std::uint64_t n : {5, 200, 3000}) {
    arena = new_arena();
    *reinterpret_cast<std::size_t*>(arena) = 64;
    M* m = ::new (arena_take(sizeof(M))) M();  // the map object itself lives in the arena too
    for (std::uint64_t k = 0; k < n; ++k) (*m)[k] = k + 1;

    unsigned char* old = arena;  // "map the file at another address"
    arena = new_arena();
    copy_arena(arena, old);
    m = reinterpret_cast<M*>(arena + (reinterpret_cast<unsigned char*>(m) - old));
    ::operator delete(old, std::align_val_t{64});

    for (std::uint64_t k = 0; k < n; ++k)
      if (m->find(k) == m->end() || m->find(k)->second != k + 1) {
        std::printf("FAIL: n=%llu: key %llu not found in the relocated map\n", (unsigned long long)n,
                    (unsigned long long)k);
        return 1;
      }
    for (std::uint64_t k = n; k < 2 * n + 10; ++k) (*m)[k] = k + 1;  // and it keeps working
    if (m->size() != 2 * n + 10) return 2;
    m->~M();
    ::operator delete(arena, std::align_val_t{64});
  }
  return 0;
}
