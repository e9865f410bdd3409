// actor::Members (actor/members.hpp): the bounded, expiring members view.
#include "actor/members.hpp"

#include "actor/codec.hpp"

#include <algorithm>

namespace actor {

void Members::heard(const Message& m, Time now, WallTime wall) {
    // Oldest chain entries first, so the chain's head ends up newest.
    for (auto it = m.history.rbegin(); it != m.history.rend(); ++it) touch(*it, now, wall);
    if (auto sender = m.sender()) {
        auto& e = touch(*sender, now, wall);
        if (m.type == MsgType::ping || m.type == MsgType::hist) {
            bytes_ -= e.value_bytes;
            e.value = m.value;
            e.value_bytes = value_footprint(e.value);
            bytes_ += e.value_bytes;
            e.value_known = true;
        }
    }
    // Least recently seen first; the newest entry is never evicted.
    while (by_seq_.size() > 1 && (by_seq_.size() > max_members || bytes_ > max_member_bytes))
        erase(by_seq_.begin()->second);
}

bool Members::complete(const Chain& chain) const {
    return std::all_of(chain.names().begin(), chain.names().end(), [&](const std::string& n) {
        auto it = seen_.find(n);
        return it != seen_.end() && it->second.value_known;
    });
}

Event Members::snapshot(const Chain& chain, Time now) {
    // The TTL of the group as listed before anyone expires (a big group
    // does not shorten its own TTL as it is cut).
    if (follow_) ttl_ = timing::member_ttl(*follow_, seen_.size());
    // The least recently seen are also the longest unseen.
    while (!by_seq_.empty() && now - by_seq_.begin()->second->second.steady > ttl_)
        erase(by_seq_.begin()->second);
    Event e;
    e.type = EventType::members;
    for (auto r = by_seq_.rbegin(); r != by_seq_.rend(); ++r) {  // newest first
        const auto& [name, entry] = *r->second;
        e.members.push_back({name, entry.value, entry.wall, chain.index_of(name).has_value()});
    }
    return e;
}

Members::Entry& Members::touch(const std::string& name, Time now, WallTime wall) {
    auto [it, fresh] = seen_.try_emplace(name);
    if (fresh) {
        it->second.value_bytes = value_footprint(it->second.value);
        bytes_ += name.size() + it->second.value_bytes;
    } else {
        by_seq_.erase(it->second.seq);
    }
    auto& e = it->second;
    e.steady = now;
    e.wall = wall;
    e.seq = ++seq_;
    by_seq_.emplace(e.seq, it);
    return e;
}

void Members::erase(Table::iterator it) {
    bytes_ -= it->first.size() + it->second.value_bytes;
    by_seq_.erase(it->second.seq);
    seen_.erase(it);
}

}  // namespace actor
