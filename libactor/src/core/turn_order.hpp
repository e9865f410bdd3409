#pragma once
// The fair turn policy's view of the group (docs/PROTOCOL.md "Turn policy"):
// every member this node knows of, ordered by how long it has waited for a
// turn. Private to the core; node.cpp holds the rule, this the storage.
//
// - Members that have had no turn yet (heard only by their init, or
//   ourselves at the start) come first, the last name first in natural
//   order (NameTable::before): every node that has heard the same inits
//   ranks them the same, whatever order they came in. A member hears the
//   inits of those that start after it, not of those before; with names
//   given in the order the members start, the ones ahead of it are the
//   ones it heard (docs/PROTOCOL.md "Joining at scale", rule 2).
// - Then the members that have had a turn, the longest ago first: a turn
//   moves its taker to the back.
// - Only the first `slots` entries have a slot of their own (rank 0, 1,
//   ...). When a turn is taken, the entries ahead of its taker within those
//   slots missed theirs, unless they were heard pinging within the last
//   `heard_window` (a collision they lost). A member that missed
//   max_misses slots with no ping heard from it in between is dropped (it
//   died, or is not ready): hearing it ping clears its misses, so a ping
//   that lost a collision and arrived after the winner's costs nothing.
//   Ourselves never.
// - Bounded: at most `max_names` entries; beyond that a member that has had
//   no turn is not added (a flood of inits cannot push members out), and a
//   turn by an unknown name drops the entry at the front to make room.
//
// Storage: names are interned (actor/names.hpp; the simulator's nodes share
// one table), so the order holds 4-byte ids: the fresh members in a vector
// in natural order (the first entry last), every entry in a pool linked
// into the turned list, and an open-addressing index id -> entry. About 45
// bytes a name, where a set, a list and a hash map of strings took about
// 200.
#include "actor/names.hpp"
#include "actor/time.hpp"
#include "id_index.hpp"
#include "slot_pool.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actor::detail {

class TurnOrder {
public:
    // `names`: the table to intern names in (null: one of its own).
    explicit TurnOrder(std::size_t max_names, std::shared_ptr<NameTable> names = nullptr);
    ~TurnOrder();
    TurnOrder(TurnOrder&& o) noexcept;
    TurnOrder& operator=(TurnOrder&&) = delete;
    TurnOrder(const TurnOrder&) = delete;
    TurnOrder& operator=(const TurnOrder&) = delete;

    void clear();
    bool contains(const std::string& name) const { return index_.find(names_->find(name)) != nil; }
    std::size_t size() const { return index_.size(); }
    // No member without a turn can be added (joined() refuses).
    bool full() const { return index_.size() >= max_; }

    // A member heard of that has had no turn (an init; ourselves at start).
    // A known member keeps its place. True when it was added.
    bool joined(const std::string& name);
    // `name` pinged at `now` (any ping, a lost collision's too).
    void heard(const std::string& name, Time now);
    // `name` took a turn at `now`: see the header comment. `self` is never
    // dropped.
    void took_turn(const std::string& name, const std::string& self, std::size_t slots, Time now,
                   Duration heard_window);
    // name's position among the first `slots` entries, or nothing.
    std::optional<std::size_t> rank(const std::string& name, std::size_t slots) const;

    // Every entry, first first (tests, debugging).
    std::vector<std::string> names() const;

private:
    using Id = NameTable::Id;
    static constexpr std::uint32_t nil = IdIndex::nil;
    struct Entry {
        Time heard{};
        Id id = NameTable::none;
        std::uint32_t prev = nil, next = nil;  // the turned list, when !fresh
        std::uint8_t misses = 0;
        bool fresh = true;
        bool has_heard = false;
    };
    static constexpr int max_misses = 3;

    std::uint32_t slot_of(Id id) const { return index_.find(id); }
    std::uint32_t add_entry(Id id);  // pool slot, indexed
    void erase_slot(std::uint32_t slot);
    void unlink(std::uint32_t slot);
    void link_back(std::uint32_t slot);
    std::size_t fresh_pos(Id id) const;  // where id is, or would go, in fresh_

    std::size_t max_;
    std::shared_ptr<NameTable> names_;
    // No turn yet, in natural order: the first entry (the last name) at the
    // back, so the one a turn by an unknown name drops is erased without
    // moving the others.
    std::vector<Id> fresh_;
    SlotPool<Entry> pool_;
    std::uint32_t head_ = nil, tail_ = nil;  // turned: the longest since its turn first
    IdIndex index_;                          // id -> pool slot
    std::vector<Id> drop_;                   // took_turn's scratch
};

}  // namespace actor::detail
