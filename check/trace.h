// Printing a program: as numbered, readable ops (print_trace), and as a C++
// snippet that replays it against swiss::Map (print_cpp), so a reproducer can
// be pasted into a test. Both take the lane, which renders keys and values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>

#include "check/instrumented.h"
#include "check/ops.h"
#include "check/rules.h"
#include "check/tracked_alloc.h"

namespace swisscheck {

inline std::string ordinal(std::uint64_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

template <class L>
std::string show_op(const Op& op) {
  auto key = [&](std::uint32_t i) {
    i = key_index(i, L::kIndexLimit);
    return "key #" + std::to_string(i) + " = " + L::show_key(i);
  };
  auto value = [&](std::uint32_t j) { return "value #" + std::to_string(j) + " = " + L::show_value(j); };
  std::ostringstream o;
  o << name(op.code);
  switch (op.code) {
    case Code::kInsert: case Code::kEmplace: case Code::kTryEmplace: case Code::kInsertOrAssign:
    case Code::kIndexAssign:
      o << ' ' << key(op.key) << ", " << value(op.value);
      break;
    case Code::kInsertHint:
      o << ' ' << key(op.key) << ", " << value(op.value) << " as " << insert_hint_form(hint_kind(op.n));
      break;
    case Code::kIndexBump: case Code::kFind: case Code::kContains: case Code::kCount: case Code::kAt:
    case Code::kEqualRange: case Code::kEraseKey: case Code::kEraseFound: case Code::kExtractKey:
    case Code::kExtractFound:
      o << ' ' << key(op.key);
      break;
    case Code::kInsertNode: o << " (the held node) as " << insert_node_form(hint_kind(op.n)); break;
    case Code::kMerge:
      o << " map " << named_slot(op.n) << " into this map"
        << (second_variant(op.n) ? " (merge(std::move(src)))" : " (merge(src))");
      break;
    case Code::kEraseRange: o << " first " << op.n << " entries"; break;
    case Code::kEraseIf: o << ' ' << erase_if_says(op.n); break;
    case Code::kReserve:
      if (op.n == kAbsurdSize) o << " absurd sizes (must throw std::length_error)";
      else o << ' ' << op.n;
      break;
    case Code::kRehash: o << ' ' << op.n; break;
    case Code::kInsertMany: case Code::kEraseMany: case Code::kInsertRange:
      o << " keys #" << op.key << ".. (" << op.n << " keys, index mod " << L::kIndexLimit << ")";
      break;
    case Code::kCopyConstruct: case Code::kCopyAssign: case Code::kMoveConstruct: case Code::kMoveAssign:
    case Code::kSelect: case Code::kEqual:
      o << " map " << named_slot(op.n);
      break;
    case Code::kSwap:
      o << " with map " << named_slot(op.n) << (second_variant(op.n) ? " (ADL swap)" : " (member swap)");
      break;
    case Code::kArmFault:
      o << ": the " << ordinal(op.value) << ' ' << fault_name(fault_kind(op.n))
        << " call from now throws";
      break;
    case Code::kAssignCurrent: o << ' ' << value(op.value); break;
    case Code::kIterMutate: o << " (" << op.actions.size() << " actions)"; break;
    default: break;
  }
  return o.str();
}

// Numbered ops, up to and including op `upto`. On lanes whose maps have
// unequal allocators (TrackedAlloc) an op the interpreter skips says why.
template <class L>
void print_trace(std::ostream& out, const Program& p,
                 std::size_t upto = std::numeric_limits<std::size_t>::max()) {
  out << "lane " << L::kName << ", key space " << p.key_space() << ", " << p.ops.size() << " ops\n";
  AllocWalk walk = alloc_walk<typename L::Alloc>();
  for (std::size_t i = 0; i < p.ops.size() && i <= upto; ++i) {
    const Op& op = p.ops[i];
    out << '#' << i << ' ' << show_op<L>(op);
    if constexpr (is_tracked_alloc_v<typename L::Alloc>) {
      const std::string skip = walk.step(op);
      if (!skip.empty()) out << "  -- " << skip;
      if (op.code == Code::kInsertNode)
        out << "  -- skipped if the held node's allocator differs from this map's " << show_identity(walk.slot[walk.cur])
            << " (undefined in std)";
    }
    out << '\n';
    for (const Op& a : op.actions) out << "      at yield " << a.at << ": " << show_op<L>(a) << '\n';
  }
}

namespace detail {

template <class L>
struct CppWriter {
  std::ostream& out;
  std::uint32_t cur = 0;
  bool engaged[kMapSlots] = {true, false, false};

  std::string k(std::uint32_t i) { return L::cpp_key(key_index(i, L::kIndexLimit)); }
  std::string v(std::uint32_t j) { return L::cpp_value(j); }
  std::string slot(std::uint32_t d) { return "maps[" + std::to_string(d) + "]"; }
  static constexpr bool kTracked = is_tracked_alloc_v<typename L::Alloc>;
  std::string engage(std::uint32_t d) {
    if (engaged[d]) return "";
    engaged[d] = true;
    return slot(d) + ".emplace(" + make_args(d) + "); ";
  }
  // The constructor argument of slot d's new map: its allocator (tracked_alloc.h).
  static std::string make_args(std::uint32_t d) {
    if constexpr (kTracked) return "Map::allocator_type(swisscheck::slot_identity(" + std::to_string(d) + "))";
    else return "";
  }
  // What the interpreter skips where allocators differ (undefined in std; a
  // swap whose allocators propagate is defined).
  std::string if_equal_allocs(std::uint32_t d, const std::string& s, bool is_swap = false) {
    if constexpr (kTracked) {
      if (is_swap && std::allocator_traits<typename L::Alloc>::propagate_on_container_swap::value) return s;
      return "if (m->get_allocator() == " + slot(d) + "->get_allocator()) " + s;
    } else {
      return s;
    }
  }

  // One statement for an op that may also appear inside an iteration.
  std::string simple(const Op& op) {
    const std::string limit = std::to_string(L::kIndexLimit);
    switch (op.code) {
      case Code::kInsert: return "m->insert({" + k(op.key) + ", " + v(op.value) + "});";
      case Code::kEmplace: return "m->emplace(" + k(op.key) + ", " + v(op.value) + ");";
      case Code::kTryEmplace: return "m->try_emplace(" + k(op.key) + ", " + v(op.value) + ");";
      case Code::kInsertOrAssign: return "m->insert_or_assign(" + k(op.key) + ", " + v(op.value) + ");";
      case Code::kIndexAssign: return "(*m)[" + k(op.key) + "] = " + v(op.value) + ";";
      case Code::kIndexBump: return "L::bump((*m)[" + k(op.key) + "]); /* m[k]++ */";
      case Code::kFind: return "(void)m->find(" + k(op.key) + ");";
      case Code::kEraseKey: return "m->erase(" + k(op.key) + ");";
      case Code::kEraseFound:
        return "if (auto it2 = m->find(" + k(op.key) + "); it2 != m->end()) m->erase(it2);";
      case Code::kClear: return "m->clear();";
      case Code::kReserve:
        if (op.n == kAbsurdSize)
          return "try { m->reserve(SIZE_MAX); } catch (const std::length_error&) {}";
        return "m->reserve(" + std::to_string(op.n) + ");";
      // Bulk ops: the count from the rule, each key and value through a call to it (rules.h).
      case Code::kInsertMany:
        return "for (std::uint32_t i = 0; i < " + std::to_string(bulk_count(op.n, L::kIndexLimit)) +
               "; ++i) { std::uint32_t x = swisscheck::bulk_key(" + std::to_string(op.key) + ", i, " + limit +
               "); auto v = L::make_value(swisscheck::bulk_value(x)); "
               "if (swisscheck::insert_many_try_emplaces(i)) m->try_emplace(L::make_key(x), v); "
               "else m->insert({L::make_key(x), v}); }";
      case Code::kEraseMany:
        return "for (std::uint32_t i = 0; i < " + std::to_string(bulk_count(op.n, L::kIndexLimit)) +
               "; ++i) m->erase(L::make_key(swisscheck::bulk_key(" + std::to_string(op.key) + ", i, " + limit + ")));";
      default: return "";
    }
  }

  std::string statement(const Op& op) {
    const std::uint32_t di = target_slot(op.code, op.n, cur);
    std::string s = simple(op);
    if (!s.empty()) return s;
    switch (op.code) {
      case Code::kInsertHint:
        switch (hint_kind(op.n)) {
          case Hint::kNone: return "m->insert(m->find(" + k(op.key) + "), {" + k(op.key) + ", " + v(op.value) + "});";
          case Hint::kBegin: return "m->emplace_hint(m->begin(), " + k(op.key) + ", " + v(op.value) + ");";
          case Hint::kEnd: return "m->try_emplace(m->end(), " + k(op.key) + ", " + v(op.value) + ");";
        }
        return "";
      case Code::kContains: return "(void)m->contains(" + k(op.key) + ");";
      case Code::kCount: return "(void)m->count(" + k(op.key) + ");";
      case Code::kAt: return "try { (void)m->at(" + k(op.key) + "); } catch (const std::out_of_range&) {}";
      case Code::kEqualRange: return "(void)m->equal_range(" + k(op.key) + ");";
      case Code::kEraseRange:
        return "m->erase(m->begin(), std::next(m->begin(), swisscheck::erase_range_count(" + std::to_string(op.n) +
               ", m->size())));";
      case Code::kEraseIf:
        return "swiss::erase_if(*m, [](const auto& e) { return swisscheck::erase_if_erases(swisscheck::fingerprint("
               "L::okey(e.first)), " + std::to_string(op.n) + "); });";
      case Code::kRehash: return "m->rehash(" + std::to_string(op.n) + ");";
      case Code::kInsertRange: {
        const std::string n = std::to_string(insert_range_size(op.n));
        return "{ std::vector<std::pair<L::Key, L::Value>> r; for (std::uint32_t i = 0; i < " + n +
               "; ++i) { std::uint32_t x = swisscheck::insert_range_key(" + std::to_string(op.key) + ", " + n +
               ", i, " + std::to_string(L::kIndexLimit) +
               "); r.emplace_back(L::make_key(x), L::make_value(swisscheck::bulk_value(x))); } m->insert(r.begin(), r.end()); }";
      }
      case Code::kCopyConstruct: {
        std::string r = slot(di) + ".reset(); " + slot(di) + ".emplace(*m); m = &*" + slot(di) + ";";
        engaged[di] = true;
        cur = di;
        return r;
      }
      case Code::kCopyAssign: {
        std::string r = engage(di) + "*" + slot(di) + " = *m; m = &*" + slot(di) + ";";
        cur = di;
        return r;
      }
      case Code::kMoveConstruct: {
        std::string r = slot(di) + ".reset(); " + slot(di) + ".emplace(std::move(*m)); m->clear(); m = &*" + slot(di) + ";";
        engaged[di] = true;
        cur = di;
        return r;
      }
      case Code::kMoveAssign: {
        std::string r = engage(di) + "*" + slot(di) + " = std::move(*m); m->clear(); m = &*" + slot(di) + ";";
        cur = di;
        return r;
      }
      case Code::kSwap: {
        std::string r = engage(di);
        if (second_variant(op.n)) return r + if_equal_allocs(di, "{ using std::swap; swap(*m, *" + slot(di) + "); }", true);
        return r + if_equal_allocs(di, "m->swap(*" + slot(di) + ");", true);
      }
      case Code::kSelect: {
        std::string r = engage(di) + "m = &*" + slot(di) + ";";
        cur = di;
        return r;
      }
      case Code::kEqual: return engage(di) + "(void)(*m == *" + slot(di) + ");";
      case Code::kIterate: return "for (const auto& e : *m) (void)e;";
      case Code::kArmFault:
        return "swisscheck::Ledger::current().arm(static_cast<swisscheck::Fault>(" +
               std::to_string(static_cast<int>(fault_kind(op.n))) +
               "), " + std::to_string(op.value) + ");";
      case Code::kCheck: return "m->check_invariants();";
      case Code::kExtractKey: return "node = m->extract(" + k(op.key) + ");";
      case Code::kExtractFound:
        return "if (auto it2 = m->find(" + k(op.key) + "); it2 != m->end()) node = m->extract(it2);";
      case Code::kInsertNode: {
        const Hint h = hint_kind(op.n);
        std::string s = h == Hint::kNone ? "{ auto r = m->insert(std::move(node)); node = std::move(r.node); }"
                                         : std::string("(void)m->insert(m->") + (h == Hint::kBegin ? "cbegin" : "cend") +
                                               "(), std::move(node));";
        if constexpr (kTracked) s = "if (node.empty() || node.get_allocator() == m->get_allocator()) " + s;
        return s;
      }
      case Code::kMerge: {
        const std::uint32_t src = named_slot(op.n);
        return engage(src) + if_equal_allocs(src, second_variant(op.n) ? "m->merge(std::move(*" + slot(src) + "));"
                                                                       : "m->merge(*" + slot(src) + ");");
      }
      case Code::kIterMutate: {
        std::ostringstream o;
        // erase_current / assign_current run as the interpreter runs them:
        // swisscheck::current_action_runs (rules.h); after erase_current the
        // rest of the yield's actions are dropped.
        o << "{  // iterate, mutating at yields\n"
          << "    constexpr bool kIndirect = swisscheck::indirect_entry<Map::key_type, Map::mapped_type>;\n"
          << "    std::size_t yield = 0;\n"
          << "    for (auto it = m->begin(); it != m->end(); ++yield) {\n"
          << "      bool advanced = false, dirty = false, gone = false;\n"
          << "      auto* ref = &*it; (void)ref;\n"
          << "      const auto cur_key = it->first;\n";
        std::size_t i = 0;
        while (i < op.actions.size()) {
          std::uint32_t at = op.actions[i].at;
          o << "      if (yield == " << at << ") {\n";
          for (; i < op.actions.size() && op.actions[i].at == at; ++i) {
            const Op& a = op.actions[i];
            if (a.code == Code::kEraseCurrent)
              o << "        if (!advanced && swisscheck::current_action_runs(swisscheck::Code::kEraseCurrent, gone, dirty, "
                   "kIndirect)) { it = m->erase(it); advanced = true; }\n";
            else if (a.code == Code::kAssignCurrent)
              o << "        if (!advanced && swisscheck::current_action_runs(swisscheck::Code::kAssignCurrent, gone, dirty, "
                   "kIndirect)) ref->second = " << v(a.value) << ";\n";
            else if (a.code == Code::kClear)
              o << "        if (!advanced) { " << simple(a) << " dirty = true; gone = true; }\n";
            else
              o << "        if (!advanced) { auto r0 = swiss::TestAccess<Map>::rebuilds(*m); " << simple(a)
                << " if (swiss::TestAccess<Map>::rebuilds(*m) != r0) dirty = true; if (!m->contains(cur_key)) gone = true; }\n";
          }
          o << "      }\n";
        }
        o << "      if (!advanced) ++it;\n    }\n  }";
        return o.str();
      }
      default: return "/* ? */";
    }
  }
};

}  // namespace detail

// A C++ function body replaying the program against swiss::Map (up to and
// including op `upto`). Needs swiss/map.h and check/lanes.h.
template <class L>
void print_cpp(std::ostream& out, const Program& p,
               std::size_t upto = std::numeric_limits<std::size_t>::max()) {
  detail::CppWriter<L> w{out};
  out << "// swisscheck replay: lane " << L::kName << ", key space " << p.key_space() << "\n"
      << "// needs: swiss/map.h, swiss/test_access.h, check/lanes.h, check/contract.h, check/rules.h, <optional>, <vector>, <stdexcept>, <cstdint>\n"
      << "{\n"
      << "  using L = " << L::kCppLane << ";\n"
      << "  using Map = " << L::kCppMap << ";\n"
      << "  std::optional<Map> maps[3];\n"
      << "  maps[0].emplace(" << detail::CppWriter<L>::make_args(0) << ");\n"
      << "  Map* m = &*maps[0];\n"
      << "  Map::node_type node;  // extract_* / insert_node\n";
  for (std::size_t i = 0; i < p.ops.size() && i <= upto; ++i) {
    std::string s = w.statement(p.ops[i]);
    if constexpr (L::kFaults) {
      if (p.ops[i].code != Code::kArmFault)
        s = "try { swisscheck::FaultScope scope; " + s + " } catch (const std::exception&) {}";
    }
    out << "  " << s << "  // #" << i << "\n";
  }
  out << "  for (auto& x : maps) if (x) x->check_invariants();\n"
      << "}\n";
}

}  // namespace swisscheck
