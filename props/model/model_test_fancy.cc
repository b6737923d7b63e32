// The model and two properties with an allocator whose pointer is a class
// type (check/fancy_alloc.h: FancyPtr aborts when its bytes are read away
// from where it was constructed), so every op the interpreter runs, growth,
// iteration under growth, node handles and copies between maps included,
// also checks that the map keeps the allocator's pointers as objects
// (issue 16, point 3). The lanes are the u64 and indirect lanes with only
// the allocator changed; check/'s interpreter takes the map type from the
// lane, so nothing else differs. (A replay snippet printed for a failure here
// names these lanes: define them as below, with check/fancy_alloc.h.)
#include "check/fancy_alloc.h"
#include "props/model/model_property.h"
#include "props/model/properties.h"

namespace swissprops {
namespace {

using namespace swisscheck;

// A lane with only its allocator changed.
template <class Base>
struct WithFancyAlloc : Base {
  using Alloc = FancyAlloc<std::pair<const typename Base::Key, typename Base::Value>>;
};
#define SWISS_FANCY_MAP(K, V, H) \
  "swiss::Map<" K ", " V ", " H ", std::equal_to<" K ">, swisscheck::FancyAlloc<std::pair<const " K ", " V ">>>"

struct FancyU64Lane : WithFancyAlloc<U64Lane> {
  static constexpr const char* kCppLane = "FancyU64Lane";
  static constexpr const char* kName = "u64_fancy";
  static constexpr const char* kCppMap = SWISS_FANCY_MAP("std::uint64_t", "std::uint64_t", "swiss::Hash<std::uint64_t>");
};
// Entries over 128 bytes: each slot holds a FancyPtr to its entry.
struct FancyIndirectLane : WithFancyAlloc<IndirectLane> {
  static constexpr const char* kCppLane = "FancyIndirectLane";
  static constexpr const char* kName = "indirect_fancy";
  static constexpr const char* kCppMap = SWISS_FANCY_MAP("swisscheck::BigKey", "swisscheck::BigValue", "swisscheck::BigKeyHash");
};
#undef SWISS_FANCY_MAP

static_assert(std::is_same_v<LaneMap<FancyU64Lane>::pointer, FancyPtr<std::pair<const std::uint64_t, std::uint64_t>>>);
static_assert(LaneMap<FancyIndirectLane>::kIndirectKey);

TEST(Model, U64Fancy) { check_property(&model_property<FancyU64Lane>); }
TEST(Model, IndirectFancy) { check_property(&model_property<FancyIndirectLane>); }
TEST(IterationUnderGrowth, U64Fancy) { check_property(&iteration_under_growth<FancyU64Lane>); }
TEST(DeleteClearsElem, IndirectFancy) { check_property(&delete_clears_elem<FancyIndirectLane>); }

}  // namespace
}  // namespace swissprops
