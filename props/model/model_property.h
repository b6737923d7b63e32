// The stateful model property of one lane: RapidCheck generates a command
// list against the model (rc::state::check), the commands write a program,
// and check/'s interpreter runs the program against swiss::Map and the
// oracle. A failure is shrunk by RapidCheck to the shortest command list that
// still fails.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <string>

#include "check/decode.h"
#include "check/encode.h"
#include "props/model/commands.h"
#include "props/model/failure_report.h"
#include "props/model/isolated_run.h"
#include "props/model/model_state.h"

namespace swissprops {

template <class L>
void model_property() {
  // Small key spaces make single-key ops collide; the large one leaves room
  // for thousands of fresh keys (fills, churn, deep directories).
  const std::uint8_t sel = *rc::gen::weightedElement<std::uint8_t>({{1, 0}, {2, 1}, {2, 3}, {2, 5}, {4, 7}});
  const ModelState<L> s0(sel);
  ProgramSut sut;
  sut.program.key_space_sel = sel;
  rc::state::check(s0, sut, command_generator<L>());

  const Program& p = sut.program;
  // Every generated program must survive the trip to bytes (regression files).
  const auto bytes = swisscheck::encode(p);
  RC_ASSERT(swisscheck::decode(bytes.data(), bytes.size()) == p);

  ModelState<L> end(sel);
  for (const Op& op : p.ops) end.apply(op);
  RC_CLASSIFY(end.peak > 8, "past the small map");
  RC_CLASSIFY(end.peak > 896, "split");
  RC_CLASSIFY(end.peak >= 3600, "deep directory");

  SWISS_PROPS_RUN(L, p);
}

}  // namespace swissprops
