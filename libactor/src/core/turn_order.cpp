// The rules are stated once, in turn_order.hpp.
#include "turn_order.hpp"

#include <algorithm>
#include <utility>

namespace actor::detail {

TurnOrder::TurnOrder(std::size_t max_names, std::shared_ptr<NameTable> names)
    : max_(max_names == 0 ? 1 : max_names),
      names_(names ? std::move(names) : std::make_shared<NameTable>()) {}

TurnOrder::TurnOrder(TurnOrder&& o) noexcept
    : max_(o.max_), names_(o.names_), fresh_(std::move(o.fresh_)), pool_(std::move(o.pool_)),
      head_(std::exchange(o.head_, nil)), tail_(std::exchange(o.tail_, nil)),
      index_(std::move(o.index_)) {
    o.fresh_.clear();
}

TurnOrder::~TurnOrder() { clear(); }

void TurnOrder::clear() {
    index_.for_each([this](Id id, std::uint32_t) { names_->release(id); });
    fresh_.clear();
    pool_.clear();
    head_ = tail_ = nil;
    index_.clear();
}

std::uint32_t TurnOrder::add_entry(Id id) {
    const std::uint32_t slot = pool_.acquire();
    pool_[slot].id = id;
    index_.put(id, slot);
    return slot;
}

void TurnOrder::unlink(std::uint32_t s) {
    Entry& e = pool_[s];
    (e.prev != nil ? pool_[e.prev].next : head_) = e.next;
    (e.next != nil ? pool_[e.next].prev : tail_) = e.prev;
    e.prev = e.next = nil;
}

void TurnOrder::link_back(std::uint32_t s) {
    Entry& e = pool_[s];
    e.prev = tail_;
    e.next = nil;
    (tail_ != nil ? pool_[tail_].next : head_) = s;
    tail_ = s;
}

// fresh_ ascends: an entry that goes after another (!before) sits ahead
// of it in the vector, so the first entry is at the back.
std::size_t TurnOrder::fresh_pos(Id id) const {
    const NameTable& t = *names_;
    return static_cast<std::size_t>(
        std::lower_bound(fresh_.begin(), fresh_.end(), id, [&t](Id a, Id b) { return t.before(b, a); }) -
        fresh_.begin());
}

void TurnOrder::erase_slot(std::uint32_t s) {
    Entry& e = pool_[s];
    const Id id = e.id;
    if (e.fresh) fresh_.erase(fresh_.begin() + static_cast<std::ptrdiff_t>(fresh_pos(id)));
    else unlink(s);
    index_.erase(id);
    pool_.release(s);
    names_->release(id);
}

bool TurnOrder::joined(const std::string& name) {
    if (full() || contains(name)) return false;
    const Id id = names_->retain(name);
    add_entry(id);
    fresh_.insert(fresh_.begin() + static_cast<std::ptrdiff_t>(fresh_pos(id)), id);
    return true;
}

void TurnOrder::heard(const std::string& name, Time now) {
    const std::uint32_t s = slot_of(names_->find(name));
    if (s == nil) return;
    pool_[s].heard = now;
    pool_[s].has_heard = true;
    pool_[s].misses = 0;
}

void TurnOrder::took_turn(const std::string& name, const std::string& self, std::size_t slots,
                          Time now, Duration heard_window) {
    // Who missed a slot: the entries ahead of `name` among the first
    // `slots`, not heard pinging lately. Collected first, dropped after.
    const Id nid = names_->find(name);
    const Id sid = names_->find(self);
    drop_.clear();
    const auto missed = [&](const Entry& e) { return !e.has_heard || now - e.heard > heard_window; };
    std::size_t seen = 0;
    bool reached = false;
    for (std::size_t k = fresh_.size(); k > 0 && seen < slots; --k, ++seen) {
        const Id f = fresh_[k - 1];
        if (f == nid) {
            reached = true;
            break;
        }
        if (f == sid) continue;
        Entry& w = pool_[slot_of(f)];
        if (missed(w) && ++w.misses >= max_misses) drop_.push_back(f);
    }
    for (std::uint32_t t = head_; !reached && t != nil && seen < slots; t = pool_[t].next, ++seen) {
        Entry& w = pool_[t];
        if (w.id == nid) break;
        if (w.id == sid || !missed(w)) continue;
        if (++w.misses >= max_misses) drop_.push_back(w.id);
    }
    for (Id d : drop_) erase_slot(slot_of(d));

    if (const std::uint32_t s = slot_of(nid); s != nil) {
        // Known: it moves to the back, heard now, its misses cleared (as if
        // erased and added again; there is room, it made room itself).
        Entry& e = pool_[s];
        if (e.fresh) {
            fresh_.erase(fresh_.begin() + static_cast<std::ptrdiff_t>(fresh_pos(e.id)));
            e.fresh = false;
        } else {
            unlink(s);
        }
        e.misses = 0;
        e.heard = now;
        e.has_heard = true;
        link_back(s);
        return;
    }
    if (full()) {
        // Room for a turn by a name we did not know: the first entry that
        // is not ourselves goes.
        std::uint32_t victim = nil;
        for (std::size_t k = fresh_.size(); k > 0; --k) {
            if (fresh_[k - 1] != sid) {
                victim = slot_of(fresh_[k - 1]);
                break;
            }
        }
        for (std::uint32_t t = head_; victim == nil && t != nil; t = pool_[t].next)
            if (pool_[t].id != sid) victim = t;
        if (victim != nil) erase_slot(victim);
    }
    if (full()) return;
    const std::uint32_t s = add_entry(names_->retain(name));
    Entry& e = pool_[s];
    e.fresh = false;
    e.heard = now;
    e.has_heard = true;
    link_back(s);
}

std::optional<std::size_t> TurnOrder::rank(const std::string& name, std::size_t slots) const {
    const Id nid = names_->find(name);
    if (slot_of(nid) == nil) return std::nullopt;
    std::size_t r = 0;
    for (std::size_t k = fresh_.size(); k > 0 && r < slots; --k, ++r)
        if (fresh_[k - 1] == nid) return r;
    for (std::uint32_t t = head_; t != nil && r < slots; t = pool_[t].next, ++r)
        if (pool_[t].id == nid) return r;
    return std::nullopt;
}

std::vector<std::string> TurnOrder::names() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (auto f = fresh_.rbegin(); f != fresh_.rend(); ++f) out.push_back(names_->name(*f));
    for (std::uint32_t t = head_; t != nil; t = pool_[t].next) out.push_back(names_->name(pool_[t].id));
    return out;
}

}  // namespace actor::detail
