// A minimal standard fancy pointer and an allocator that hands it out, for
// testing that swiss::Map keeps allocator memory in allocator_traits<A>::pointer
// (issue 16, point 3) without ever holding the pointer's bytes as a raw one.
//
//   FancyPtr<T>    a class type that is a NullablePointer and (T not void) a
//                  contiguous, hence random-access, iterator; std::pointer_traits
//                  works through its members (element_type, rebind, pointer_to)
//                  and std::to_address through operator->. FancyPtr<T> converts
//                  implicitly to FancyPtr<const T>, FancyPtr<void> and
//                  FancyPtr<const void>; FancyPtr<void> converts back only by
//                  static_cast, as the allocator requirements say. There is no
//                  conversion from or to T*: code that mixes the two does not
//                  compile.
//   FancyAlloc<T>  an always-equal allocator whose pointer is FancyPtr<T>;
//                  every block is registered (FancyHeap), so a test can check
//                  that all of them came back, and a deallocate with a pointer
//                  or size the allocator never handed out aborts.
//
// How misuse is caught. Like boost::interprocess::offset_ptr, a FancyPtr
// stores the target's distance from the FancyPtr's own address, so its bytes
// mean nothing elsewhere. On top of that the representation is checked on
// every read:
//   * bits 0..47: (target - this) XOR a per-type constant;
//   * bits 48..63: 0x4000 | a 14-bit tag of (this address, T).
// Reading the pointer at an address other than the one it was written at
// (memcpy, a byte-wise swap, an object relocated without its copy
// constructor), as another FancyPtr type, or out of memory no FancyPtr was
// constructed in (zeroed or fresh allocator memory, which FancyAlloc fills
// with 0xA5) fails the tag check and aborts with a message (odds of a false
// pass: 1 in 16384). Read as a raw pointer, the bytes are a non-canonical
// address (the top 16 bits are never all 0 or all 1), so a dereference
// faults instead of landing somewhere plausible. Null is stored as 1, not 0
// (offset_ptr's choice too): zeroed bytes are not a null FancyPtr. A
// destroyed FancyPtr is overwritten, so reading it after its destructor
// aborts as well.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace swisscheck {

template <class T>
class FancyPtr;

namespace fancy_detail {

inline constexpr std::uint64_t kNullBits = 1;  // not 0: zeroed memory is no null FancyPtr
inline constexpr std::uint64_t kDeadBits = 3;  // what a destroyed FancyPtr holds
inline constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << 48) - 1;

constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}
// A name per type at compile time: the function's own signature names T.
template <class T>
constexpr std::string_view signature() {
  return __PRETTY_FUNCTION__;
}
// The per-type constant: FancyPtr<A>'s bytes read as a FancyPtr<B> decode to
// a wrong address (and fail the tag check). cv-qualifiers do not count: a
// const object of a struct holding FancyPtr<T> holds a const FancyPtr<T>.
template <class T>
inline constexpr std::uint64_t kTypeKey = fnv1a(signature<std::remove_cv_t<T>>());

// `self` as an integer: a pointer to the (maybe not yet written) FancyPtr
// would make the compiler think its bytes are read here.
[[noreturn, gnu::cold, gnu::noinline]] inline void misuse(const char* what, std::uintptr_t self, std::uint64_t bits) {
  std::fprintf(stderr, "swisscheck::FancyPtr at 0x%llx (bits 0x%016llx): %s\n", static_cast<unsigned long long>(self),
               static_cast<unsigned long long>(bits), what);
  std::abort();
}

// The 16 tag bits for a FancyPtr of type key `key` living at `self`: 0x4000
// plus 14 mixed bits, so never 0x0000 or 0xFFFF (a raw read is non-canonical).
inline std::uint64_t tag_of(std::uintptr_t self, std::uint64_t key) {
  const std::uint64_t m = (static_cast<std::uint64_t>(self) ^ key) * 0x9E3779B97F4A7C15ull;
  return 0x4000u | ((m >> 40) & 0x3FFFu);
}

// The member types that make FancyPtr<T> an iterator (not for void).
template <class T>
struct IteratorTypes {
  using iterator_category = std::random_access_iterator_tag;
  using iterator_concept = std::contiguous_iterator_tag;
  using value_type = std::remove_cv_t<T>;
  using reference = T&;
};
template <class T>
  requires std::is_void_v<T>
struct IteratorTypes<T> {};

}  // namespace fancy_detail

template <class T>
class FancyPtr : public fancy_detail::IteratorTypes<T> {
  template <class>
  friend class FancyPtr;

 public:
  using element_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = T*;  // what operator-> yields (iterator_traits' pointer)
  template <class U>
  using rebind = FancyPtr<U>;

  // NullablePointer: value-initialized, default-initialized and nullptr all
  // give the null pointer.
  FancyPtr() noexcept { set(nullptr); }
  FancyPtr(std::nullptr_t) noexcept { set(nullptr); }
  // Copies re-encode against the new address (a copy of the bytes would not).
  FancyPtr(const FancyPtr& o) noexcept { set(o.get()); }
  FancyPtr& operator=(const FancyPtr& o) noexcept {
    set(o.get());
    return *this;
  }
  FancyPtr& operator=(std::nullptr_t) noexcept {
    set(nullptr);
    return *this;
  }
  // Implicit where T* converts implicitly: to const T, to void.
  template <class U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>)
  FancyPtr(const FancyPtr<U>& o) noexcept {
    set(o.get());
  }
  // void -> T only by static_cast (allocator requirements: static_cast<XX::pointer>(vp)).
  template <class U>
    requires(std::is_void_v<U> && !std::is_void_v<T> && !std::is_convertible_v<U*, T*> &&
             requires(U* u) { static_cast<T*>(u); })
  explicit FancyPtr(const FancyPtr<U>& o) noexcept {
    set(static_cast<T*>(o.get()));
  }
  ~FancyPtr() {
    // A volatile store: the compiler may not drop it as a store to a dying object.
    *static_cast<volatile std::uint64_t*>(&bits_) = fancy_detail::kDeadBits;
  }

  // The one way in from a raw pointer besides pointer_to (which needs an
  // object): for the allocator and for tests. Deliberately not a constructor.
  static FancyPtr from_raw(T* p) noexcept {
    FancyPtr f;
    f.set(p);
    return f;
  }
  template <class U = T>
    requires(!std::is_void_v<U>)
  static FancyPtr pointer_to(U& r) noexcept {
    return from_raw(std::addressof(r));
  }

  // The address, decoded (and checked) from this object's own address.
  T* get() const noexcept {
    const std::uint64_t b = bits_;
    if (b == fancy_detail::kNullBits) return nullptr;
    const std::uintptr_t self = reinterpret_cast<std::uintptr_t>(this);
    if (b == fancy_detail::kDeadBits) fancy_detail::misuse("read after its destructor ran", self, b);
    if ((b >> 48) != fancy_detail::tag_of(self, fancy_detail::kTypeKey<T>))
      fancy_detail::misuse(
          "not a FancyPtr written at this address for this type (copied by bytes, relocated without its "
          "copy constructor, read as another pointer type, or never constructed)",
          self, b);
    std::uint64_t off = (b ^ fancy_detail::kTypeKey<T>) & fancy_detail::kOffsetMask;
    if (off & (std::uint64_t{1} << 47)) off |= ~fancy_detail::kOffsetMask;  // sign-extend 48 bits
    return reinterpret_cast<T*>(self + static_cast<std::uintptr_t>(off));
  }
  T* operator->() const noexcept { return get(); }
  template <class U = T>
    requires(!std::is_void_v<U>)
  U& operator*() const noexcept {
    return *get();
  }
  template <class U = T>
    requires(!std::is_void_v<U>)
  U& operator[](difference_type i) const noexcept {
    return get()[i];
  }
  explicit operator bool() const noexcept { return bits_ != fancy_detail::kNullBits && get() != nullptr; }
  bool operator!() const noexcept { return !static_cast<bool>(*this); }

  // Random-access iterator arithmetic (not for void).
  FancyPtr& operator++() noexcept
    requires(!std::is_void_v<T>)
  {
    set(get() + 1);
    return *this;
  }
  FancyPtr operator++(int) noexcept
    requires(!std::is_void_v<T>)
  {
    FancyPtr old(*this);
    ++*this;
    return old;
  }
  FancyPtr& operator--() noexcept
    requires(!std::is_void_v<T>)
  {
    set(get() - 1);
    return *this;
  }
  FancyPtr operator--(int) noexcept
    requires(!std::is_void_v<T>)
  {
    FancyPtr old(*this);
    --*this;
    return old;
  }
  FancyPtr& operator+=(difference_type n) noexcept
    requires(!std::is_void_v<T>)
  {
    set(get() + n);
    return *this;
  }
  FancyPtr& operator-=(difference_type n) noexcept
    requires(!std::is_void_v<T>)
  {
    set(get() - n);
    return *this;
  }
  friend FancyPtr operator+(FancyPtr p, difference_type n) noexcept
    requires(!std::is_void_v<T>)
  {
    return p += n;
  }
  friend FancyPtr operator+(difference_type n, FancyPtr p) noexcept
    requires(!std::is_void_v<T>)
  {
    return p += n;
  }
  friend FancyPtr operator-(FancyPtr p, difference_type n) noexcept
    requires(!std::is_void_v<T>)
  {
    return p -= n;
  }
  friend difference_type operator-(const FancyPtr& a, const FancyPtr& b) noexcept
    requires(!std::is_void_v<T>)
  {
    return a.get() - b.get();
  }

  // Comparisons by address, also across FancyPtr<T> / FancyPtr<const T> / void.
  template <class U>
  friend bool operator==(const FancyPtr& a, const FancyPtr<U>& b) noexcept {
    return static_cast<const volatile void*>(a.get()) == static_cast<const volatile void*>(b.get());
  }
  template <class U>
  friend std::strong_ordering operator<=>(const FancyPtr& a, const FancyPtr<U>& b) noexcept {
    return std::compare_three_way{}(static_cast<const volatile void*>(a.get()),
                                    static_cast<const volatile void*>(b.get()));
  }
  friend bool operator==(const FancyPtr& a, std::nullptr_t) noexcept { return a.get() == nullptr; }

 private:
  void set(T* p) noexcept {
    if (p == nullptr) {
      bits_ = fancy_detail::kNullBits;
      return;
    }
    const std::uintptr_t self = reinterpret_cast<std::uintptr_t>(this);
    const std::uint64_t off = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p) - self);
    const std::uint64_t ext = (off & (std::uint64_t{1} << 47)) ? (off | ~fancy_detail::kOffsetMask)
                                                              : (off & fancy_detail::kOffsetMask);
    if (ext != off) fancy_detail::misuse("target more than 2^47 bytes away", self, off);
    bits_ = (fancy_detail::tag_of(self, fancy_detail::kTypeKey<T>) << 48) |
            ((off ^ fancy_detail::kTypeKey<T>) & fancy_detail::kOffsetMask);
  }

  std::uint64_t bits_;
};

static_assert(std::is_class_v<FancyPtr<int>> && !std::is_pointer_v<FancyPtr<int>>);
static_assert(sizeof(FancyPtr<int>) == sizeof(void*));
static_assert(std::contiguous_iterator<FancyPtr<int>> && std::random_access_iterator<FancyPtr<const int>>);
static_assert(std::is_nothrow_default_constructible_v<FancyPtr<int>> && std::is_copy_assignable_v<FancyPtr<int>>);
static_assert(std::is_same_v<std::pointer_traits<FancyPtr<int>>::element_type, int>);
static_assert(std::is_same_v<std::pointer_traits<FancyPtr<int>>::rebind<long>, FancyPtr<long>>);
static_assert(std::is_same_v<std::pointer_traits<FancyPtr<void>>::difference_type, std::ptrdiff_t>);
static_assert(std::is_convertible_v<FancyPtr<int>, FancyPtr<const int>>);
static_assert(std::is_convertible_v<FancyPtr<int>, FancyPtr<void>>);
static_assert(std::is_convertible_v<FancyPtr<const int>, FancyPtr<const void>>);
static_assert(!std::is_convertible_v<FancyPtr<const int>, FancyPtr<int>>);
static_assert(!std::is_convertible_v<FancyPtr<void>, FancyPtr<int>> && std::is_constructible_v<FancyPtr<int>, FancyPtr<void>>);
static_assert(!std::is_constructible_v<FancyPtr<int>, FancyPtr<const void>>);
static_assert(!std::is_convertible_v<int*, FancyPtr<int>> && !std::is_convertible_v<FancyPtr<int>, int*>);

// Every block FancyAlloc has handed out and not taken back, process-wide.
class FancyHeap {
 public:
  static void* allocate(std::size_t bytes, std::size_t align) {
    align = std::max<std::size_t>(align, 16);
    void* p = ::operator new(bytes ? bytes : 1, std::align_val_t{align});
    // Fresh memory holds no FancyPtr: reading one from it must fail the tag check.
    std::memset(p, 0xA5, bytes);
    std::lock_guard<std::mutex> lock(mu());
    blocks().emplace(p, Block{bytes, align});
    ++allocations();
    return p;
  }
  static void deallocate(void* p, std::size_t bytes) {
    std::size_t align;
    {
      std::lock_guard<std::mutex> lock(mu());
      auto it = blocks().find(p);
      if (it == blocks().end()) {
        std::fprintf(stderr, "swisscheck::FancyAlloc: deallocate(%p, %zu bytes) of a block it never handed out\n", p,
                     bytes);
        std::abort();
      }
      if (it->second.bytes != bytes) {
        std::fprintf(stderr, "swisscheck::FancyAlloc: deallocate(%p, %zu bytes) of a block of %zu bytes\n", p, bytes,
                     it->second.bytes);
        std::abort();
      }
      align = it->second.align;
      blocks().erase(it);
    }
    ::operator delete(p, std::align_val_t{align});
  }
  static std::size_t live_blocks() {
    std::lock_guard<std::mutex> lock(mu());
    return blocks().size();
  }
  static std::size_t live_bytes() {
    std::lock_guard<std::mutex> lock(mu());
    std::size_t n = 0;
    for (const auto& [p, b] : blocks()) n += b.bytes;
    return n;
  }
  // allocate() calls so far (never reset): a test can see that an op went
  // through the allocator at all.
  static std::uint64_t total_allocations() {
    std::lock_guard<std::mutex> lock(mu());
    return allocations();
  }

 private:
  struct Block {
    std::size_t bytes, align;
  };
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::unordered_map<void*, Block>& blocks() {
    static auto* b = new std::unordered_map<void*, Block>;  // never destroyed: usable in static destructors
    return *b;
  }
  static std::uint64_t& allocations() {
    static std::uint64_t n = 0;
    return n;
  }
};

template <class T>
class FancyAlloc {
 public:
  using value_type = T;
  using pointer = FancyPtr<T>;
  using const_pointer = FancyPtr<const T>;
  using void_pointer = FancyPtr<void>;
  using const_void_pointer = FancyPtr<const void>;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using is_always_equal = std::true_type;
  template <class U>
  struct rebind {
    using other = FancyAlloc<U>;
  };

  FancyAlloc() noexcept = default;
  template <class U>
  FancyAlloc(const FancyAlloc<U>&) noexcept {}

  pointer allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return pointer::from_raw(static_cast<T*>(FancyHeap::allocate(n * sizeof(T), alignof(T))));
  }
  void deallocate(pointer p, std::size_t n) noexcept { FancyHeap::deallocate(std::to_address(p), n * sizeof(T)); }

  template <class U>
  friend bool operator==(const FancyAlloc&, const FancyAlloc<U>&) noexcept {
    return true;
  }
};

// What allocator_traits derives must be the fancy types, not T*.
static_assert(std::is_same_v<std::allocator_traits<FancyAlloc<int>>::pointer, FancyPtr<int>>);
static_assert(std::is_same_v<std::allocator_traits<FancyAlloc<int>>::rebind_traits<long>::pointer, FancyPtr<long>>);
static_assert(std::is_same_v<std::allocator_traits<FancyAlloc<int>>::void_pointer, FancyPtr<void>>);

}  // namespace swisscheck
