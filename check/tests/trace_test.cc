// The trace printer: numbered readable ops and a C++ snippet.
#include <gtest/gtest.h>

#include <sstream>

#include "check/lanes.h"
#include "check/trace.h"

namespace swisscheck {
namespace {

Program sample() {
  Program p;
  p.key_space_sel = 1;  // 16 keys
  p.ops.push_back({Code::kInsert, 3, 7});
  p.ops.push_back({Code::kIndexBump, 3});
  p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
  Op it{Code::kIterMutate};
  it.actions.push_back({Code::kInsertMany, 4, 0, 100, 0});
  it.actions.push_back({Code::kEraseCurrent, 0, 0, 0, 2});
  p.ops.push_back(it);
  p.ops.push_back({Code::kArmFault, 0, 3, 0});
  return p;
}

TEST(Trace, NumberedReadableOps) {
  std::ostringstream o;
  print_trace<U64Lane>(o, sample());
  const std::string s = o.str();
  EXPECT_NE(s.find("lane u64, key space 16, 5 ops"), std::string::npos) << s;
  EXPECT_NE(s.find("#0 insert key #3 = 3, value #7 = 1007"), std::string::npos) << s;
  EXPECT_NE(s.find("#1 index_bump key #3 = 3"), std::string::npos) << s;
  EXPECT_NE(s.find("#2 copy_construct map 1"), std::string::npos) << s;
  EXPECT_NE(s.find("at yield 2: erase_current"), std::string::npos) << s;
  EXPECT_NE(s.find("#4 arm_fault: the 3rd hash call from now throws"), std::string::npos) << s;
}

TEST(Trace, StopsAtTheFailingOp) {
  std::ostringstream o;
  print_trace<U64Lane>(o, sample(), 1);
  EXPECT_NE(o.str().find("#1 "), std::string::npos);
  EXPECT_EQ(o.str().find("#2 "), std::string::npos);
}

TEST(Trace, CppSnippetReplaysAgainstSwissMap) {
  std::ostringstream o;
  print_cpp<U64Lane>(o, sample());
  const std::string s = o.str();
  EXPECT_NE(s.find("using Map = swiss::Map<std::uint64_t, std::uint64_t>;"), std::string::npos) << s;
  EXPECT_NE(s.find("m->insert({3u, 1007u});  // #0"), std::string::npos) << s;
  EXPECT_NE(s.find("L::bump((*m)[3u]);"), std::string::npos) << s;
  EXPECT_NE(s.find("maps[1].emplace(*m); m = &*maps[1];"), std::string::npos) << s;
  EXPECT_NE(s.find("it = m->erase(it);"), std::string::npos) << s;
}

TEST(Trace, NodeOps) {
  Program p;
  p.key_space_sel = 1;
  p.ops.push_back({Code::kExtractKey, 3});
  p.ops.push_back({Code::kExtractFound, 4});
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});
  p.ops.push_back({Code::kInsertNode, 0, 0, 1});
  p.ops.push_back({Code::kMerge, 0, 0, 1});
  p.ops.push_back({Code::kMerge, 0, 0, 5});
  std::ostringstream t;
  print_trace<U64Lane>(t, p);
  const std::string s = t.str();
  EXPECT_NE(s.find("#0 extract_key key #3 = 3"), std::string::npos) << s;
  EXPECT_NE(s.find("#1 extract_found key #4 = 4"), std::string::npos) << s;
  EXPECT_NE(s.find("#2 insert_node (the held node) as insert(node)"), std::string::npos) << s;
  EXPECT_NE(s.find("#3 insert_node (the held node) as insert(begin(), node)"), std::string::npos) << s;
  EXPECT_NE(s.find("#4 merge map 1 into this map (merge(src))"), std::string::npos) << s;
  EXPECT_NE(s.find("#5 merge map 2 into this map (merge(std::move(src)))"), std::string::npos) << s;
  std::ostringstream c;
  print_cpp<U64Lane>(c, p);
  const std::string cs = c.str();
  EXPECT_NE(cs.find("Map::node_type node;"), std::string::npos) << cs;
  EXPECT_NE(cs.find("node = m->extract(3u);  // #0"), std::string::npos) << cs;
  EXPECT_NE(cs.find("if (auto it2 = m->find(4u); it2 != m->end()) node = m->extract(it2);"), std::string::npos) << cs;
  EXPECT_NE(cs.find("{ auto r = m->insert(std::move(node)); node = std::move(r.node); }"), std::string::npos) << cs;
  EXPECT_NE(cs.find("(void)m->insert(m->cbegin(), std::move(node));"), std::string::npos) << cs;
  EXPECT_NE(cs.find("maps[1].emplace(); m->merge(*maps[1]);"), std::string::npos) << cs;
  EXPECT_NE(cs.find("maps[2].emplace(); m->merge(std::move(*maps[2]));"), std::string::npos) << cs;
}

TEST(Trace, LanesRenderTheirKeys) {
  Program p;
  p.ops.push_back({Code::kInsert, 15, 1});
  p.ops.push_back({Code::kInsert, 14 + 16, 1});
  std::ostringstream o;
  print_trace<DoubleLane>(o, p);
  EXPECT_NE(o.str().find("key #15 = NaN"), std::string::npos) << o.str();
  EXPECT_NE(o.str().find("key #30 = -0.0"), std::string::npos) << o.str();
  std::ostringstream f;
  print_cpp<InstrumentedLane>(f, p);
  EXPECT_NE(f.str().find("swisscheck::FaultScope scope;"), std::string::npos) << f.str();
}

}  // namespace
}  // namespace swisscheck
