// Bytes -> ops. Never rejects: any byte string decodes to some program, and a
// truncated input reads zeros past its end, so every libFuzzer mutation is a
// valid test. Layout (all fields one byte unless said):
//
//   header: key space selector (byte % 8 -> kKeySpaces)
//   op*:    opcode (byte % kNumTopLevel), then the opcode's args (ops.h)
//           kIterMutate: action count (byte % (kMaxActions+1)), then per
//           action: gap (byte % kMaxGap, yields since the previous action),
//           code (byte % iteration_codes().size()), its args
//
// Keys are one byte when the key space is <= 256, else two (little endian);
// both reduced mod the key space, so most single-key ops hit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "check/ops.h"

namespace swisscheck {

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ >= end_; }
  std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

namespace detail {

inline void decode_arg(ByteReader& in, Arg a, std::uint32_t key_space, Op& op) {
  switch (a) {
    case Arg::kNone: return;
    case Arg::kKey: {
      std::uint32_t k = in.byte();
      if (key_space > 256) k |= static_cast<std::uint32_t>(in.byte()) << 8;
      op.key = k % key_space;
      return;
    }
    case Arg::kValue: op.value = in.byte(); return;
    case Arg::kCount: op.n = count_from_byte(in.byte()); return;
    case Arg::kSize: {
      std::uint8_t b = in.byte();
      op.n = b == 255 ? kAbsurdSize : count_from_byte(b);
      return;
    }
    case Arg::kMapSlot: op.n = in.byte() % kMapSlots; return;
    case Arg::kMapSlotVariant: op.n = in.byte() % (2 * kMapSlots); return;
    case Arg::kResidue: op.n = in.byte() % 4; return;
    case Arg::kFaultKind: op.n = in.byte() % 4; return;
    case Arg::kNth: op.value = 1 + in.byte() % 64; return;
    case Arg::kSmall: op.n = in.byte() % 16; return;
    case Arg::kHintKind: op.n = in.byte() % 3; return;
  }
}

inline void decode_args(ByteReader& in, std::uint32_t key_space, Op& op) {
  for (Arg a : info(op.code).args) decode_arg(in, a, key_space, op);
}

}  // namespace detail

inline Program decode(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Program p;
  p.key_space_sel = in.byte() % 8;
  const std::uint32_t space = p.key_space();
  const auto& iter_codes = iteration_codes();
  while (!in.done() && p.ops.size() < kMaxOps) {
    Op op;
    op.code = static_cast<Code>(in.byte() % kNumTopLevel);
    detail::decode_args(in, space, op);
    if (op.code == Code::kIterMutate) {
      std::size_t count = in.byte() % (kMaxActions + 1);
      std::uint32_t at = 0;
      for (std::size_t i = 0; i < count; ++i) {
        Op action;
        at += in.byte() % kMaxGap;
        action.at = at;
        action.code = iter_codes[in.byte() % iter_codes.size()];
        detail::decode_args(in, space, action);
        op.actions.push_back(action);
      }
    }
    p.ops.push_back(std::move(op));
  }
  return p;
}

}  // namespace swisscheck
