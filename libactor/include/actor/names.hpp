#pragma once
// Interned node names: each distinct name gets a small integer id, so that
// a node's turn order compares and hashes integers, not strings. One table
// may be shared by many nodes of one process (the simulator gives all its
// nodes one: 10,000 nodes then hold ids, not 10,000 copies of each name);
// by default each node has its own. Ids are counted references: a name
// whose last holder released it is forgotten and its id reused, so a flood
// of fresh names costs no more than the holders' own bounds allow.
//
// Not thread-safe: nodes sharing a table are called from one thread.
// Which id a name gets depends on the order names come in, so nothing may
// depend on ids but identity (the turn order sorts by the names).
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace actor {

// a < b in natural order: runs of digits compare as numbers ("n9" <
// "n10", "n007" = "n7" but then by bytes), everything else byte by byte
// as unsigned. A strict total order on byte strings.
bool natural_less(std::string_view a, std::string_view b);

class NameTable {
public:
    using Id = std::uint32_t;
    static constexpr Id none = UINT32_MAX;

    NameTable() = default;
    NameTable(const NameTable&) = delete;
    NameTable& operator=(const NameTable&) = delete;

    // n's id, or none if no holder has it.
    Id find(std::string_view n) const {
        // The same message reaches many nodes in a row: its name is usually
        // the one asked for last.
        if (last_ != none && n == slots_[last_].name) return last_;
        auto it = ids_.find(n);
        if (it == ids_.end()) return none;
        last_ = it->second;
        return last_;
    }
    // n's id, one reference more (created if need be).
    Id retain(std::string_view n);
    // One reference to id fewer; the last one forgets the name.
    void release(Id id);
    const std::string& name(Id id) const { return slots_[id].name; }
    // The order of the members with no turn yet (turn_order.hpp): the last
    // name in natural order first.
    bool before(Id a, Id b) const { return natural_less(slots_[b].name, slots_[a].name); }
    // Names in use (tests).
    std::size_t size() const { return ids_.size(); }

private:
    struct Slot {
        std::string name;
        std::uint32_t refs = 0;
    };
    std::deque<Slot> slots_;  // a deque: names never move, ids_ views them
    std::vector<Id> free_;
    std::unordered_map<std::string_view, Id> ids_;  // views into slots_[id].name
    mutable Id last_ = none;
};

}  // namespace actor
