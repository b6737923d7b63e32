// Control bytes and 8-slot group matching.
//
// Each group carries one 64-bit control word: byte i describes slot i.
// Empty is 0x80, deleted (a tombstone) is 0xFE, and a full slot holds H2,
// the low 7 bits of the key's hash, so a full byte always has its top bit
// clear. The matchers below work on the whole word at once (SWAR); byte i of
// the word is bits 8i..8i+7 by arithmetic, so nothing depends on endianness.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__SSE2__) && !defined(SWISS_NO_SSE2)
#include <emmintrin.h>
#define SWISS_SSE2 1
#endif

namespace swiss {

inline constexpr std::size_t kGroupSlots = 8;
inline constexpr std::size_t kMaxTableCapacity = 1024;
inline constexpr std::size_t kMaxInlineKeyBytes = 128;
inline constexpr std::size_t kMaxInlineElemBytes = 128;

namespace detail {

inline constexpr std::uint8_t kCtrlEmpty = 0x80;
inline constexpr std::uint8_t kCtrlDeleted = 0xFE;
inline constexpr std::uint64_t kBytesLsb = 0x0101010101010101ull;
inline constexpr std::uint64_t kBytesMsb = 0x8080808080808080ull;
inline constexpr std::uint64_t kCtrlWordEmpty = kBytesLsb * kCtrlEmpty;

// The hash splits in two: H1 chooses where the probe starts, H2 is kept in the
// control byte so most non-matching slots are rejected without a key compare.
inline constexpr std::uint64_t h1(std::uint64_t hash) { return hash >> 7; }
inline constexpr std::uint8_t h2(std::uint64_t hash) { return hash & 0x7f; }

inline constexpr bool is_full(std::uint8_t c) { return (c & 0x80) == 0; }

// A set of slots in a group, one bit (the top bit of its byte) per slot.
class SlotMask {
 public:
  constexpr explicit SlotMask(std::uint64_t bits) : bits_(bits) {}
  constexpr bool any() const { return bits_ != 0; }
  constexpr explicit operator bool() const { return any(); }
  constexpr unsigned lowest() const { return std::countr_zero(bits_) >> 3; }
  constexpr void drop_lowest() { bits_ &= bits_ - 1; }
  constexpr unsigned count() const { return std::popcount(bits_); }
  constexpr std::uint64_t bits() const { return bits_; }

  class iterator {
   public:
    constexpr explicit iterator(std::uint64_t bits) : bits_(bits) {}
    constexpr unsigned operator*() const { return std::countr_zero(bits_) >> 3; }
    constexpr iterator& operator++() { bits_ &= bits_ - 1; return *this; }
    constexpr bool operator!=(const iterator& o) const { return bits_ != o.bits_; }
   private:
    std::uint64_t bits_;
  };
  constexpr iterator begin() const { return iterator(bits_); }
  constexpr iterator end() const { return iterator(0); }

 private:
  std::uint64_t bits_;
};

// Operations on one control word.
struct CtrlWord {
  std::uint64_t word;

  constexpr std::uint8_t at(unsigned i) const { return static_cast<std::uint8_t>(word >> (8 * i)); }
  constexpr void set(unsigned i, std::uint8_t c) {
    word = (word & ~(std::uint64_t{0xff} << (8 * i))) | (std::uint64_t{c} << (8 * i));
  }

  // Slots whose byte equals h2. The portable form may also report a full
  // slot whose byte is h2^1 right above a true match (a borrow); the key
  // compare rejects it. Empty and deleted bytes are never reported. With SSE2
  // one byte compare gives the exact set in the same one-bit-per-byte form.
  constexpr SlotMask match_h2(std::uint8_t h) const {
#ifdef SWISS_SSE2
    if (!std::is_constant_evaluated()) {
      const __m128i eq = _mm_cmpeq_epi8(_mm_cvtsi64_si128(static_cast<long long>(word)),
                                        _mm_set1_epi8(static_cast<char>(h)));
      return SlotMask(static_cast<std::uint64_t>(_mm_cvtsi128_si64(eq)) & kBytesMsb);
    }
#endif
    const std::uint64_t x = word ^ (kBytesLsb * h);
    return SlotMask((x - kBytesLsb) & ~x & kBytesMsb);
  }
  // Empty is the only byte with the top bit set and bit 1 clear.
  constexpr SlotMask match_empty() const { return SlotMask(word & ~(word << 6) & kBytesMsb); }
  constexpr SlotMask match_empty_or_deleted() const { return SlotMask(word & kBytesMsb); }
  constexpr SlotMask match_full() const { return SlotMask(~word & kBytesMsb); }
  // The full slots as 8 bits, bit i for slot i: the top bit of each byte,
  // gathered into the top byte by one multiply (no two partial products meet).
  constexpr unsigned full_bits() const {
    return static_cast<unsigned>((((~word & kBytesMsb) >> 7) * 0x0102040810204080ull) >> 56);
  }
};

}  // namespace detail
}  // namespace swiss
