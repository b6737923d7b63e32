// A real use of fancy pointers (issue 16, point 3): swiss::Maps that live in a
// boost::interprocess::managed_mapped_file, built by one process, opened by a
// second one at a different address, and read back by the first.
//
//   parent   creates the file, constructs three named maps in it (u64 -> u64;
//            fixed-array key -> boost::interprocess::basic_string, whose bytes
//            live in the file too; u64 -> 160-byte value, stored indirectly)
//            and fills them (phase 1); closes the file
//   child    this binary again (posix_spawn of /proc/self/exe with
//            --interprocess-child), which first reserves the parent's address
//            range so the file cannot land there, opens the file, finds the
//            maps by name, runs check_invariants() and compares them with the
//            oracle of phase 1; then phase 2: erases, overwrites, and growth
//            from a few tables to dozens (splits, directory growth), with an
//            iterator parked through the growth (its forwarding records are
//            allocated in the file); checks again, writes where it mapped the
//            file, exits 0 (non-zero or a signal on any failure)
//   parent   reopens the file at a third address (its own first range
//            reserved), checks check_invariants() and the oracle of phase 1 +
//            phase 2, then empties the maps and checks that every byte the
//            maps took from the segment came back
//
// The oracle is std::map, regenerated in each process from the seed by the
// same phase functions that drive the maps (a Sink is either the maps or the
// oracle). Keys are position-independent (no std::string in the file).
#include <gtest/gtest.h>

#include <boost/interprocess/allocators/allocator.hpp>
#include <boost/interprocess/containers/string.hpp>
#include <boost/interprocess/managed_mapped_file.hpp>

#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "check/lanes.h"
#include "swiss/map.h"

#include "swiss/config.h"

#ifdef SWISS_ASAN
#include <sanitizer/asan_interface.h>
#endif

#ifndef SWISS_INTERPROCESS_TMP
#define SWISS_INTERPROCESS_TMP "/tmp"
#endif

extern char** environ;

namespace {

namespace bip = boost::interprocess;
using U64 = std::uint64_t;
using Segment = bip::managed_mapped_file;
using SegmentManager = Segment::segment_manager;
template <class T>
using SegAlloc = bip::allocator<T, SegmentManager>;

constexpr std::size_t kSegmentBytes = std::size_t{64} << 20;  // sparse on disk
constexpr const char* kChildFlag = "--interprocess-child";

// A key of fixed size: position-independent, unlike std::string.
struct Name {
  std::array<char, 32> c{};
  static Name of(U64 i) {
    Name n;
    std::snprintf(n.c.data(), n.c.size(), "name-%llu", static_cast<unsigned long long>(i));
    return n;
  }
  std::string str() const { return std::string(c.data()); }
  bool operator==(const Name&) const = default;
};
struct NameHash {
  std::size_t operator()(const Name& n) const {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char ch : n.c) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
    return h;
  }
};

// Over 128 bytes: the map keeps it behind an offset_ptr. (A std::array:
// position-independent.)
using Big = swisscheck::BigValue;

using SegString = bip::basic_string<char, std::char_traits<char>, SegAlloc<char>>;
using U64Map = swiss::Map<U64, U64, swiss::Hash<U64>, std::equal_to<U64>, SegAlloc<std::pair<const U64, U64>>>;
using StrMap = swiss::Map<Name, SegString, NameHash, std::equal_to<Name>, SegAlloc<std::pair<const Name, SegString>>>;
using BigMap = swiss::Map<U64, Big, swiss::Hash<U64>, std::equal_to<U64>, SegAlloc<std::pair<const U64, Big>>>;

static_assert(!std::is_pointer_v<U64Map::pointer>, "the segment allocator's pointer is offset_ptr");
static_assert(std::is_same_v<U64Map::pointer, bip::offset_ptr<std::pair<const U64, U64>>>);
static_assert(BigMap::kIndirectElem);

U64 splitmix(U64 x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
U64 u64_key(U64 seed, U64 i) { return splitmix(seed * 1000003 + i); }
std::string text(U64 i, int gen) {  // long enough to live on the segment's heap
  return "text-" + std::to_string(i) + "-" + std::to_string(gen) + std::string(20 + i % 50, static_cast<char>('a' + i % 26));
}

// ---- the phases, run against the oracle and against the maps alike ----------
struct Oracle {
  std::map<U64, U64> u;
  std::map<std::string, std::string> s;
  std::map<U64, Big> b;
  void put_u(U64 k, U64 v) { u[k] = v; }
  void erase_u(U64 k) { u.erase(k); }
  void put_s(U64 i, const std::string& t) { s[Name::of(i).str()] = t; }
  void erase_s(U64 i) { s.erase(Name::of(i).str()); }
  void put_b(U64 k, const Big& v) { b[k] = v; }
  void erase_b(U64 k) { b.erase(k); }
};

struct Maps {
  U64Map* u = nullptr;
  StrMap* s = nullptr;
  BigMap* b = nullptr;
  SegmentManager* mgr = nullptr;
  void put_u(U64 k, U64 v) { u->insert_or_assign(k, v); }
  void erase_u(U64 k) { u->erase(k); }
  void put_s(U64 i, const std::string& t) {
    SegString v(t.c_str(), SegAlloc<char>(mgr));
    s->insert_or_assign(Name::of(i), std::move(v));
  }
  void erase_s(U64 i) { s->erase(Name::of(i)); }
  void put_b(U64 k, const Big& v) { b->insert_or_assign(k, v); }
  void erase_b(U64 k) { b->erase(k); }
};

// Phase 1 (parent): a few tables of u64, strings and big values, with tombstones.
template <class Sink>
void phase1(U64 seed, Sink& d) {
  for (U64 i = 0; i < 6000; ++i) d.put_u(u64_key(seed, i), i);
  for (U64 i = 0; i < 6000; i += 7) d.erase_u(u64_key(seed, i));
  for (U64 i = 0; i < 700; ++i) d.put_s(i, text(i, 0));
  for (U64 i = 0; i < 700; i += 5) d.erase_s(i);
  for (U64 i = 0; i < 400; ++i) d.put_b(3 * i, Big::from(i));
  for (U64 i = 0; i < 400; i += 6) d.erase_b(3 * i);
}
// Phase 2a (child): erases and overwrites, nothing grows.
template <class Sink>
void phase2_change(U64 seed, Sink& d) {
  for (U64 i = 0; i < 6000; i += 3) d.erase_u(u64_key(seed, i));
  for (U64 i = 1; i < 6000; i += 3) d.put_u(u64_key(seed, i), i + 1000000);
  for (U64 i = 1; i < 700; i += 4) d.erase_s(i);
  for (U64 i = 2; i < 700; i += 4) d.put_s(i, text(i, 1));
  for (U64 i = 3; i < 400; i += 10) d.erase_b(3 * i);
}
// Phase 2b (child): growth past many tables.
template <class Sink>
void phase2_grow(U64 seed, Sink& d) {
  for (U64 i = 6000; i < 30000; ++i) d.put_u(u64_key(seed, i), i);
  for (U64 i = 700; i < 2500; ++i) d.put_s(i, text(i, 2));
  for (U64 i = 400; i < 3000; ++i) d.put_b(3 * i, Big::from(i));
}

// ---- checks: an empty string means the map matches ---------------------------
std::string view(const SegString& s) { return std::string(s.begin(), s.end()); }
U64 view(U64 v) { return v; }
const Big& view(const Big& b) { return b; }

Name name_of(const std::string& s) {
  Name n;
  std::memcpy(n.c.data(), s.c_str(), std::min(s.size() + 1, n.c.size()));
  return n;
}

// check_invariants() (aborts on a broken structure), then the contents
// against the oracle: by iteration (each entry once, known, with its value)
// and by find of every oracle key. to_oracle / to_map convert keys.
template <class M, class O, class ToOracle, class ToMap>
std::string compare(const char* what, const M& m, const O& oracle, ToOracle to_oracle, ToMap to_map) {
  m.check_invariants();
  std::ostringstream err;
  if (m.size() != oracle.size()) err << what << ": size() is " << m.size() << ", the oracle holds " << oracle.size() << "; ";
  std::size_t seen = 0, wrong = 0, unknown = 0, missing = 0;
  std::set<typename O::key_type> yielded;
  for (const auto& [k, v] : m) {
    ++seen;
    auto it = oracle.find(to_oracle(k));
    if (it == oracle.end())
      ++unknown;
    else if (!(it->second == view(v)))
      ++wrong;
    if (!yielded.insert(to_oracle(k)).second) err << what << ": iteration yielded a key twice; ";
  }
  for (const auto& [k, v] : oracle) {
    auto it = m.find(to_map(k));
    missing += it == m.end() || !(view(it->second) == v);
  }
  if (seen != m.size()) err << what << ": iteration yielded " << seen << " entries, size() is " << m.size() << "; ";
  if (unknown) err << what << ": " << unknown << " yielded keys the oracle does not hold; ";
  if (wrong) err << what << ": " << wrong << " yielded entries with a wrong value; ";
  if (missing) err << what << ": " << missing << " oracle entries find() does not return with their value; ";
  return err.str();
}

std::string compare_all(const Maps& m, const Oracle& o) {
  auto same = [](U64 k) { return k; };
  return compare("u64", *m.u, o.u, same, same) +
         compare("string", *m.s, o.s, [](const Name& n) { return n.str(); }, name_of) +
         compare("big", *m.b, o.b, same, same);
}

// The maps in the segment, by name; null members if one is missing.
Maps find_maps(Segment& seg) {
  Maps m;
  m.u = seg.find<U64Map>("u64").first;
  m.s = seg.find<StrMap>("string").first;
  m.b = seg.find<BigMap>("big").first;
  m.mgr = seg.get_segment_manager();
  return m;
}

std::size_t tables_of(const U64Map& m) {
  // bucket_count() / the largest table (1024 slots) is a lower bound on the
  // number of tables; enough to tell one table from dozens.
  return m.bucket_count() / 1024;
}

// The map poisons the bytes of its empty slots under ASan; that shadow state
// belongs to this process and outlives the mapping, so it is cleared before
// the file is unmapped (else a later mapping at the same address would see
// stale poison).
void unpoison(Segment& seg) {
#ifdef SWISS_ASAN
  ASAN_UNPOISON_MEMORY_REGION(seg.get_address(), seg.get_size());
#else
  (void)seg;
#endif
}

// Keeps [addr, addr + bytes) unavailable, so that the file is mapped
// elsewhere. (A hint only: if the range is taken already, it is taken.)
struct Reservation {
  void* at = MAP_FAILED;
  std::size_t bytes = 0;
  Reservation(void* addr, std::size_t n) : bytes(n) {
    at = mmap(addr, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  ~Reservation() {
    if (at != MAP_FAILED) munmap(at, bytes);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
};

std::uintptr_t parse_hex(const char* s) { return static_cast<std::uintptr_t>(std::strtoull(s, nullptr, 16)); }

// ---- the second process -------------------------------------------------------
int child_fail(const std::string& what) {
  std::fprintf(stderr, "interprocess child: %s\n", what.c_str());
  return 1;
}

int child_main(int argc, char** argv) {
  if (argc != 6) return child_fail("usage: --interprocess-child FILE SEED PARENT_BASE_HEX REPORT_FILE");
  const std::string file = argv[2];
  const U64 seed = std::strtoull(argv[3], nullptr, 10);
  void* parent_base = reinterpret_cast<void*>(parse_hex(argv[4]));
  const std::string report = argv[5];
  Reservation keep_out(parent_base, kSegmentBytes);
  std::string err;
  void* base = nullptr;
  {
    Segment seg(bip::open_only, file.c_str());
    base = seg.get_address();
    Maps m = find_maps(seg);
    if (!m.u || !m.s || !m.b) return child_fail("a map is missing from the segment");
    if (m.u->get_allocator().get_segment_manager() != seg.get_segment_manager())
      return child_fail("the map's allocator does not name this process's segment manager");
    Oracle o;
    phase1(seed, o);
    err = compare_all(m, o);
    if (!err.empty()) return child_fail("after opening: " + err);

    phase2_change(seed, m);
    phase2_change(seed, o);
    err = compare_all(m, o);
    if (!err.empty()) return child_fail("after phase 2 changes: " + err);

    // Park an iterator through the growth: the table it is in is retired
    // with forwarding records allocated in the file; ++ goes on by Go's
    // rules (each key present throughout yielded exactly once).
    const std::set<U64> before = [&] {
      std::set<U64> s;
      for (const auto& kv : *m.u) s.insert(kv.first);
      return s;
    }();
    const std::size_t tables_before = tables_of(*m.u);
    std::set<U64> yielded;
    {
      auto it = m.u->begin();
      yielded.insert(it->first);
      phase2_grow(seed, m);
      phase2_grow(seed, o);
      for (++it; it != m.u->end(); ++it)
        if (!yielded.insert(it->first).second) return child_fail("the parked iteration yielded a key twice");
    }
    for (U64 k : before)
      if (!yielded.count(k)) return child_fail("the parked iteration missed key " + std::to_string(k));
    if (tables_of(*m.u) < tables_before + 16)
      return child_fail("phase 2 did not grow the u64 map past many tables (" + std::to_string(tables_before) +
                        " -> " + std::to_string(tables_of(*m.u)) + ")");
    err = compare_all(m, o);
    if (!err.empty()) return child_fail("after phase 2 growth: " + err);
    unpoison(seg);
  }
  std::ofstream(report) << std::hex << reinterpret_cast<std::uintptr_t>(base) << "\n";
  std::fprintf(stderr, "interprocess child: mapped the file at %p (the parent built it at %p)\n", base, parent_base);
  return 0;
}

// ---- the first process ----------------------------------------------------------
class Interprocess : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(SWISS_INTERPROCESS_TMP);
    std::string tmpl = std::string(SWISS_INTERPROCESS_TMP) + "/swiss-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/maps.bin";
    if (const char* s = std::getenv("SWISS_INTERPROCESS_SEED"))
      seed_ = std::strtoull(s, nullptr, 10);
    else
      seed_ = std::random_device{}() % 1000000;
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
    else std::fprintf(stderr, "kept %s (seed %llu)\n", dir_.c_str(), static_cast<unsigned long long>(seed_));
  }
  // Runs this binary as the second process; its exit status (0: passed).
  int run_child(void* parent_base, const std::string& report) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(parent_base)));
    const std::string seed = std::to_string(seed_);
    std::vector<std::string> args = {"props_interprocess", kChildFlag, file_, seed, hex, report};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string dir_, file_;
  U64 seed_ = 0;
};

TEST_F(Interprocess, MapBuiltHereIsReadAndGrownByASecondProcessThenReadBack) {
  SCOPED_TRACE("seed " + std::to_string(seed_) + " (SWISS_INTERPROCESS_SEED)");
  void* first_base = nullptr;
  std::size_t free_when_empty = 0;
  {
    Segment seg(bip::create_only, file_.c_str(), kSegmentBytes);
    first_base = seg.get_address();
    SegAlloc<char> a(seg.get_segment_manager());
    Maps m;
    m.mgr = seg.get_segment_manager();
    m.u = seg.construct<U64Map>("u64")(U64Map::allocator_type(a));
    m.s = seg.construct<StrMap>("string")(StrMap::allocator_type(a));
    m.b = seg.construct<BigMap>("big")(BigMap::allocator_type(a));
    free_when_empty = seg.get_free_memory();
    phase1(seed_, m);
    Oracle o;
    phase1(seed_, o);
    ASSERT_EQ(compare_all(m, o), "");
    EXPECT_GE(tables_of(*m.u), 4u) << "phase 1 should leave the u64 map in several tables";
    EXPECT_LT(seg.get_free_memory(), free_when_empty) << "the maps did not allocate from the segment";
    unpoison(seg);
  }  // unmapped: the child opens the file alone

  const std::string report = dir_ + "/child_base.txt";
  ASSERT_EQ(run_child(first_base, report), 0) << "the second process failed (its message is above)";
  std::uintptr_t child_base = 0;
  std::ifstream(report) >> std::hex >> child_base;
  ASSERT_NE(child_base, 0u) << "the child did not report where it mapped the file";
  EXPECT_NE(child_base, reinterpret_cast<std::uintptr_t>(first_base))
      << "the child mapped the file where the parent had: the test would not see raw pointers";

  // Reopen somewhere else again: the range it was built at is kept out.
  Reservation keep_out(first_base, kSegmentBytes);
  Segment seg(bip::open_only, file_.c_str());
  EXPECT_NE(seg.get_address(), first_base);
  Maps m = find_maps(seg);
  ASSERT_TRUE(m.u && m.s && m.b);
  Oracle o;
  phase1(seed_, o);
  phase2_change(seed_, o);
  phase2_grow(seed_, o);
  ASSERT_EQ(compare_all(m, o), "") << "after the second process's changes";
  EXPECT_GE(m.u->size(), 24000u);
  EXPECT_GE(tables_of(*m.u), 20u);

  // This process goes on using the maps where they are now.
  for (U64 i = 30000; i < 32000; ++i) {
    m.put_u(u64_key(seed_, i), i);
    o.put_u(u64_key(seed_, i), i);
  }
  for (U64 i = 0; i < 2500; i += 2) {
    m.erase_s(i);
    o.erase_s(i);
  }
  m.u->rehash(0);
  m.b->rehash(0);
  ASSERT_EQ(compare_all(m, o), "");

  // Emptying the maps gives the segment back every byte they took (tables,
  // directories, forwarding records, indirect entries, strings).
  {
    U64Map u(m.u->get_allocator());
    StrMap s(m.s->get_allocator());
    BigMap b(m.b->get_allocator());
    m.u->swap(u);
    m.s->swap(s);
    m.b->swap(b);
  }
  m.u->check_invariants();
  EXPECT_TRUE(m.u->empty() && m.s->empty() && m.b->empty());
  EXPECT_EQ(seg.get_free_memory(), free_when_empty) << "segment memory not returned by the maps";
  EXPECT_TRUE(seg.destroy<U64Map>("u64"));
  EXPECT_TRUE(seg.destroy<StrMap>("string"));
  EXPECT_TRUE(seg.destroy<BigMap>("big"));
  unpoison(seg);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == kChildFlag) return child_main(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
