// Delete-clears-elem and seed-dependent order (props/model/properties.h).
#include "props/model/properties.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(DeleteClearsElem, U64Inline) { check_property(&delete_clears_elem<U64Lane>); }
TEST(DeleteClearsElem, StringInline) { check_property(&delete_clears_elem<StringLane>); }
TEST(DeleteClearsElem, IndirectPointer) { check_property(&delete_clears_elem<IndirectLane>); }
TEST(DeleteClearsElem, EmptyValue) { check_property(&delete_clears_elem<EmptyValueLane>); }
TEST(DeleteClearsElem, BigKeyPointer) { check_property(&delete_clears_elem<BigKeyLane>); }

TEST(SeedsDifferOrders, U64) { check_property(&seeds_differ_orders<U64Lane>); }
TEST(SeedsDifferOrders, String) { check_property(&seeds_differ_orders<StringLane>); }

}  // namespace
}  // namespace swissprops
