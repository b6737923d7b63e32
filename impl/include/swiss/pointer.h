// Memory from the allocator, held in the allocator's own pointer type.
//
// An allocator may hand out a class type as its `pointer` (the standard's
// fancy pointer, e.g. boost::interprocess::offset_ptr, which stores an offset
// from its own address so that a map can live in a file mapped at different
// addresses by different processes). Everything the map keeps in memory that
// came from its allocator (the directory, the tables' forwarding records,
// the pointer of an indirect entry) is stored in that type; code that only
// reads or walks uses raw pointers obtained with std::to_address, which never
// outlive the call. With std::allocator every type here is a plain T*, so
// the generated code is what it would be without this header.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace swiss::detail {

// The allocator's pointer to T (T* for std::allocator).
template <class Alloc, class T>
using alloc_pointer = typename std::allocator_traits<Alloc>::template rebind_traits<T>::pointer;

template <class P, class T>
P to_fancy(T* p) noexcept {
  if constexpr (std::is_same_v<P, T*>)
    return p;
  else
    return p == nullptr ? P(nullptr) : std::pointer_traits<P>::pointer_to(*p);
}

template <class P>
auto to_raw(const P& p) noexcept {
  if constexpr (std::is_pointer_v<P>)
    return p;
  else
    return p == nullptr ? nullptr : std::to_address(p);
}

// A fancy pointer P kept in allocator memory that reads and writes as the
// raw pointer it names.
template <class P>
class StoredPtr {
  using T = typename std::pointer_traits<P>::element_type;

 public:
  StoredPtr() noexcept : p_(nullptr) {}
  StoredPtr(std::nullptr_t) noexcept : p_(nullptr) {}
  StoredPtr(T* t) noexcept : p_(to_fancy<P>(t)) {}
  StoredPtr& operator=(T* t) noexcept {
    p_ = to_fancy<P>(t);
    return *this;
  }
  StoredPtr& operator=(std::nullptr_t) noexcept {
    p_ = nullptr;
    return *this;
  }
  operator T*() const noexcept { return get(); }
  T* get() const noexcept { return to_raw(p_); }
  T* operator->() const noexcept { return get(); }
  T& operator[](std::size_t i) const noexcept { return get()[i]; }

 private:
  P p_;
};

// How the map stores a pointer to T that its allocator gave it: T* itself
// when that is the allocator's pointer type.
template <class Alloc, class T>
using stored_ptr =
    std::conditional_t<std::is_same_v<alloc_pointer<Alloc, T>, T*>, T*, StoredPtr<alloc_pointer<Alloc, T>>>;

// n objects' worth of memory for T from the allocator, as a raw pointer
// (nothing constructed), and its return.
template <class T, class Alloc>
T* allocate_raw(const Alloc& a, std::size_t n) {
  using A = typename std::allocator_traits<Alloc>::template rebind_alloc<T>;
  A ra(a);
  return to_raw(std::allocator_traits<A>::allocate(ra, n));
}
template <class T, class Alloc>
void deallocate_raw(const Alloc& a, T* p, std::size_t n) noexcept {
  using A = typename std::allocator_traits<Alloc>::template rebind_alloc<T>;
  A ra(a);
  std::allocator_traits<A>::deallocate(ra, to_fancy<alloc_pointer<Alloc, T>>(p), n);
}

// An array of n T from the allocator, each default-initialized (for a raw
// pointer or an integer, nothing is written), and its return.
template <class T, class Alloc>
T* allocate_array(const Alloc& a, std::size_t n) {
  T* p = allocate_raw<T>(a, n);
  std::uninitialized_default_construct_n(p, n);
  return p;
}
template <class T, class Alloc>
void deallocate_array(const Alloc& a, T* p, std::size_t n) noexcept {
  std::destroy_n(p, n);
  deallocate_raw(a, p, n);
}

}  // namespace swiss::detail
