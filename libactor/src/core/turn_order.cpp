// The rules are stated once, in turn_order.hpp.
#include "turn_order.hpp"

namespace actor::detail {

void TurnOrder::clear() {
    fresh_.clear();
    turned_.clear();
    where_.clear();
}

bool TurnOrder::joined(const std::string& name) {
    if (contains(name) || full()) return false;
    fresh_.insert(name);
    where_.emplace(name, Where{});
    return true;
}

void TurnOrder::heard(const std::string& name, Time now) {
    auto w = where_.find(name);
    if (w == where_.end()) return;
    if (w->second.fresh) {
        w->second.heard = now;
        w->second.misses = 0;
    } else {
        w->second.it->heard = now;
        w->second.it->misses = 0;
    }
}

void TurnOrder::erase(const std::string& name) {
    auto w = where_.find(name);
    if (w == where_.end()) return;
    if (w->second.fresh) fresh_.erase(name);
    else turned_.erase(w->second.it);
    where_.erase(w);
}

void TurnOrder::took_turn(const std::string& name, const std::string& self, std::size_t slots,
                          Time now, Duration heard_window) {
    // Who missed a slot: the entries ahead of `name` among the first
    // `slots`, not heard pinging lately. Collected first, dropped after.
    std::vector<std::string> drop;
    const auto missed = [&](const std::optional<Time>& heard) {
        return !heard || now - *heard > heard_window;
    };
    std::size_t seen = 0;
    bool reached = false;
    for (auto f = fresh_.begin(); f != fresh_.end() && seen < slots; ++f, ++seen) {
        if (*f == name) {
            reached = true;
            break;
        }
        if (*f == self) continue;
        auto& w = where_.at(*f);
        if (missed(w.heard) && ++w.misses >= max_misses) drop.push_back(*f);
    }
    for (auto t = turned_.begin(); !reached && t != turned_.end() && seen < slots; ++t, ++seen) {
        if (t->name == name) break;
        if (t->name == self || !missed(t->heard)) continue;
        if (++t->misses >= max_misses) drop.push_back(t->name);
    }
    for (const auto& d : drop) erase(d);

    erase(name);
    if (where_.size() >= max_) {
        // Room for a turn by a name we did not know: the first entry that
        // is not ourselves goes.
        for (const auto& n : names()) {
            if (n != self) {
                erase(n);
                break;
            }
        }
    }
    if (where_.size() >= max_) return;
    turned_.push_back(Turned{name, 0, now});
    where_.emplace(name, Where{false, std::prev(turned_.end()), std::nullopt});
}

std::optional<std::size_t> TurnOrder::rank(const std::string& name, std::size_t slots) const {
    std::size_t r = 0;
    for (auto f = fresh_.begin(); f != fresh_.end() && r < slots; ++f, ++r)
        if (*f == name) return r;
    for (auto t = turned_.begin(); t != turned_.end() && r < slots; ++t, ++r)
        if (t->name == name) return r;
    return std::nullopt;
}

std::vector<std::string> TurnOrder::names() const {
    std::vector<std::string> out(fresh_.begin(), fresh_.end());
    for (const auto& t : turned_) out.push_back(t.name);
    return out;
}

}  // namespace actor::detail
