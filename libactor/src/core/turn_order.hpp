#pragma once
// The fair turn policy's view of the group (docs/PROTOCOL.md "Turn policy"):
// every member this node knows of, ordered by how long it has waited for a
// turn. Private to the core; node.cpp holds the rule, this the storage.
//
// - Members that have had no turn yet (heard only by their init, or
//   ourselves at the start) come first, in name order: every node that has
//   heard the same inits ranks them the same, whatever order they came in.
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
#include "actor/time.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace actor::detail {

class TurnOrder {
public:
    explicit TurnOrder(std::size_t max_names) : max_(max_names == 0 ? 1 : max_names) {}

    void clear();
    bool contains(const std::string& name) const { return where_.count(name) > 0; }
    std::size_t size() const { return where_.size(); }
    // No member without a turn can be added (joined() refuses).
    bool full() const { return where_.size() >= max_; }

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
    struct Turned {
        std::string name;
        int misses = 0;
        std::optional<Time> heard;
    };
    struct Where {
        bool fresh = true;
        std::list<Turned>::iterator it;  // when !fresh
        std::optional<Time> heard;       // when fresh
        int misses = 0;                  // when fresh
    };
    static constexpr int max_misses = 3;
    void erase(const std::string& name);

    std::size_t max_;
    std::set<std::string> fresh_;  // no turn yet, in name order
    std::list<Turned> turned_;     // the longest since its turn first
    std::unordered_map<std::string, Where> where_;
};

}  // namespace actor::detail
