// The node's peer table; the rules it keeps are in peer_table.hpp.
#include "peer_table.hpp"

#include "actor/codec.hpp"

#include <algorithm>
#include <vector>

namespace actor::detail {

PeerTable::PeerTable(std::size_t max_names, std::size_t max_value_bytes)
    : max_names_(std::max<std::size_t>(max_names, 1)), max_value_bytes_(max_value_bytes) {
    // One allocation of the bucket array instead of a rehash at every
    // doubling on the way to the bound.
    peers_.reserve(std::min<std::size_t>(max_names_, 1024));
}

PeerTable::Peer* PeerTable::find(const std::string& n) const {
    const std::size_t h = std::hash<std::string>{}(n);
    for (const auto& r : recent_)
        if (r.peer && r.hash == h && *r.peer->key == n) return r.peer;
    auto it = peers_.find(n);
    if (it == peers_.end()) return nullptr;
    Peer* p = const_cast<Peer*>(&it->second);
    note_recent(h, p);
    return p;
}

PeerTable::Peer* PeerTable::lookup(const std::string& n) {
    auto it = peers_.find(n);
    return it == peers_.end() ? nullptr : &it->second;
}

void PeerTable::note_recent(std::size_t h, Peer* p) const {
    recent_[recent_next_] = {h, p};
    recent_next_ = (recent_next_ + 1) % recent_.size();
}

void PeerTable::unlink(Peer& p) {
    (p.older ? p.older->newer : oldest_) = p.newer;
    (p.newer ? p.newer->older : newest_) = p.older;
    p.older = p.newer = nullptr;
}

void PeerTable::link_newest(Peer& p) {
    p.older = newest_;
    p.newer = nullptr;
    (newest_ ? newest_->newer : oldest_) = &p;
    newest_ = &p;
}

void PeerTable::mark_heard(Peer& p) {
    if (&p == newest_) return;
    unlink(p);
    link_newest(p);
}

bool PeerTable::full() const { return peers_.size() >= max_names_ && peers_.size() >= names_floor_; }

PeerTable::Peer& PeerTable::insert(const std::string& n) {
    auto it = peers_.emplace(n, Peer{}).first;
    it->second.key = &it->first;
    link_newest(it->second);
    note_recent(std::hash<std::string>{}(n), &it->second);
    return it->second;
}

bool PeerTable::set_value(Peer& p, const Value& v) {
    if (!p.has_value) ++valued_;
    p.has_value = true;
    p.value = v;
    value_bytes_ -= p.bytes;
    p.bytes = static_cast<std::uint32_t>(value_footprint(v));
    value_bytes_ += p.bytes;
    // Bounded in bytes too: 1 KiB on the wire can decode to 80 KiB.
    return value_bytes_ > max_value_bytes_ && value_bytes_ >= bytes_floor_;
}

std::size_t PeerTable::evict(const Kept& kept, const Peer* spare) {
    const std::size_t k = std::max<std::size_t>(1, peers_.size() / 8);
    std::vector<Peer*> victims;
    victims.reserve(k);
    for (Peer* p = oldest_; p && victims.size() < k; p = p->newer)
        if (p != spare && !kept.count(*p->key)) victims.push_back(p);
    // Names that must stay (a chain of up to max_chain_length names can
    // outnumber the bound) let the table grow past it; try again only k
    // names (or an eighth of the byte budget) later.
    const bool short_of = victims.size() < k;
    names_floor_ = short_of ? peers_.size() + k : 0;
    for (Peer* p : victims) {
        for (auto& r : recent_)
            if (r.peer == p) r.peer = nullptr;
        if (p->has_value) --valued_;
        value_bytes_ -= p->bytes;
        unlink(*p);
        std::string n = *p->key;  // erase() must not read a key it frees
        peers_.erase(n);
    }
    bytes_floor_ = victims.empty() ? value_bytes_ + max_value_bytes_ / 8 : 0;
    return victims.size();
}

}  // namespace actor::detail
