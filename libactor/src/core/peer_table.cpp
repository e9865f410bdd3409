// The node's peer table; the rules it keeps are in peer_table.hpp.
#include "peer_table.hpp"

#include "actor/codec.hpp"

#include <algorithm>
#include <vector>

namespace actor::detail {

PeerTable::PeerTable(std::size_t max_names, std::size_t max_value_bytes,
                     std::shared_ptr<NameTable> names)
    : max_names_(std::max<std::size_t>(max_names, 1)), max_value_bytes_(max_value_bytes),
      names_(names ? std::move(names) : std::make_shared<NameTable>()) {}

PeerTable::~PeerTable() {
    index_.for_each([this](NameTable::Id id, std::uint32_t) { names_->release(id); });
}

PeerTable::Peer* PeerTable::find(const std::string& n) const {
    const NameTable::Id id = names_->find(n);
    if (id == NameTable::none) return nullptr;
    for (const auto& r : recent_)
        if (r.id == id) return r.peer;
    const std::uint32_t s = index_.find(id);
    if (s == IdIndex::nil) return nullptr;
    Peer* p = const_cast<Peer*>(&pool_[s]);
    note_recent(p);
    return p;
}

PeerTable::Peer* PeerTable::lookup(const std::string& n) {
    const std::uint32_t s = index_.find(names_->find(n));
    return s == IdIndex::nil ? nullptr : &pool_[s];
}

void PeerTable::note_recent(Peer* p) const {
    recent_[recent_next_] = {p->id, p};
    recent_next_ = (recent_next_ + 1) % recent_.size();
}

void PeerTable::unlink(Peer& p) {
    (p.older != IdIndex::nil ? pool_[p.older].newer : oldest_) = p.newer;
    (p.newer != IdIndex::nil ? pool_[p.newer].older : newest_) = p.older;
    p.older = p.newer = IdIndex::nil;
}

void PeerTable::link_newest(Peer& p) {
    p.older = newest_;
    p.newer = IdIndex::nil;
    (newest_ != IdIndex::nil ? pool_[newest_].newer : oldest_) = p.slot;
    newest_ = p.slot;
}

void PeerTable::mark_heard(Peer& p) {
    if (p.slot == newest_) return;
    unlink(p);
    link_newest(p);
}

bool PeerTable::full() const { return size() >= max_names_ && size() >= names_floor_; }

PeerTable::Peer& PeerTable::insert(const std::string& n) {
    const NameTable::Id id = names_->retain(n);
    const std::uint32_t s = pool_.acquire();
    Peer& p = pool_[s];
    p.id = id;
    p.slot = s;
    index_.put(id, s);
    link_newest(p);
    note_recent(&p);
    return p;
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
    const std::size_t k = std::max<std::size_t>(1, size() / 8);
    std::vector<Peer*> victims;
    victims.reserve(k);
    for (std::uint32_t s = oldest_; s != IdIndex::nil && victims.size() < k; s = pool_[s].newer) {
        Peer* p = &pool_[s];
        if (p != spare && !kept.count(names_->name(p->id))) victims.push_back(p);
    }
    // Names that must stay (a chain of up to max_chain_length names can
    // outnumber the bound) let the table grow past it; try again only k
    // names (or an eighth of the byte budget) later.
    const bool short_of = victims.size() < k;
    names_floor_ = short_of ? size() + k : 0;
    for (Peer* p : victims) {
        for (auto& r : recent_)
            if (r.peer == p) r = Recent{};
        if (p->has_value) --valued_;
        value_bytes_ -= p->bytes;
        unlink(*p);
        const NameTable::Id id = p->id;
        index_.erase(id);
        pool_.release(p->slot);  // the value's memory goes now, not when the slot is reused
        names_->release(id);
    }
    bytes_floor_ = victims.empty() ? value_bytes_ + max_value_bytes_ / 8 : 0;
    return victims.size();
}

}  // namespace actor::detail
