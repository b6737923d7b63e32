// Ops -> bytes, the inverse of decode.h: decode(encode(p)) == p for every
// canonical program (keys < key space, counts from count_from_byte, action
// gaps < kMaxGap, ...). Every program decode() returns is canonical, so
// encode(decode(b)) re-decodes to the same program. The seed-corpus tool and
// the props' regression writer use it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "check/ops.h"

namespace swisscheck {

namespace detail {

inline void encode_arg(std::vector<std::uint8_t>& out, Arg a, std::uint32_t key_space,
                       const Op& op) {
  auto put = [&](std::uint32_t b) { out.push_back(static_cast<std::uint8_t>(b)); };
  switch (a) {
    case Arg::kNone: return;
    case Arg::kKey:
      put(op.key % key_space & 0xFF);
      if (key_space > 256) put((op.key % key_space) >> 8);
      return;
    case Arg::kValue: put(op.value); return;
    case Arg::kCount: put(byte_for_count(op.n)); return;
    case Arg::kSize: put(op.n == kAbsurdSize ? 255 : (op.n >= 32 * kCountStep ? 254 : byte_for_count(op.n))); return;
    case Arg::kMapSlot:
    case Arg::kMapSlotVariant:
    case Arg::kResidue:
    case Arg::kFaultKind:
    case Arg::kSmall:
    case Arg::kHintKind: put(op.n); return;
    case Arg::kNth: put(op.value == 0 ? 0 : (op.value - 1) % 64); return;
  }
}

inline std::uint8_t code_byte(Code c, bool action) {
  if (!action) {
    if (!info(c).top_level) throw std::invalid_argument(std::string("not a top-level op: ") + name(c));
    return static_cast<std::uint8_t>(c);
  }
  const auto& codes = iteration_codes();
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (codes[i] == c) return static_cast<std::uint8_t>(i);
  throw std::invalid_argument(std::string("not an iteration action: ") + name(c));
}

}  // namespace detail

// Appends the bytes of one top-level op (no header): the seed tool builds
// dictionaries from these.
inline void encode_op(std::vector<std::uint8_t>& out, const Op& op, std::uint32_t key_space) {
  out.push_back(detail::code_byte(op.code, false));
  for (Arg a : info(op.code).args) detail::encode_arg(out, a, key_space, op);
  if (op.code == Code::kIterMutate) {
    std::size_t count = op.actions.size() < kMaxActions ? op.actions.size() : kMaxActions;
    out.push_back(static_cast<std::uint8_t>(count));
    std::uint32_t at = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const Op& a = op.actions[i];
      std::uint32_t gap = a.at >= at ? a.at - at : 0;
      if (gap >= kMaxGap) gap = kMaxGap - 1;  // non-canonical: clamp
      at += gap;
      out.push_back(static_cast<std::uint8_t>(gap));
      out.push_back(detail::code_byte(a.code, true));
      for (Arg arg : info(a.code).args) detail::encode_arg(out, arg, key_space, a);
    }
  }
}

inline std::vector<std::uint8_t> encode(const Program& p) {
  std::vector<std::uint8_t> out;
  out.push_back(p.key_space_sel % 8);
  for (const Op& op : p.ops) encode_op(out, op, p.key_space());
  return out;
}

}  // namespace swisscheck
