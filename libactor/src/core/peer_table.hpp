#pragma once
// The node's table of other nodes (docs/PROTOCOL.md "Node state"): the value
// map (name -> last value) and the recovery records, in one entry per name
// so a ping costs one lookup, bounded in names and in decoded value
// bytes. Private to the core; node.cpp holds the rules, this the storage:
//
// - lookups try the few names looked up last first (in a steady rotation the
//   same handful of nodes ping, and a large map is cold by the next turn);
// - a recency list, least recently heard first, so eviction walks from the
//   front instead of scanning and sorting (links are pool slots, which
//   never move);
// - evict() forgets the least recently heard eighth of the names that the
//   caller does not keep (us, the chain, pending recoveries): amortised O(1)
//   per new name however many names flood the channel. When too few can go
//   (a chain longer than the bound), it waits k more names (or an eighth of
//   the byte budget) before trying again, so a full table of kept names
//   costs no scan per message.
// - names are interned (actor/names.hpp, shared with the turn order): an
//   entry lives in a pool of stable addresses (slot_pool.hpp, over a deque),
//   found through an id index, so a lookup hashes the name once in the
//   name table (whose last answer is cached: a broadcast reaches many nodes
//   in a row) and then compares integers. 48 bytes an entry, 16 of index.
#include "actor/names.hpp"
#include "actor/value.hpp"
#include "id_index.hpp"
#include "slot_pool.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

namespace actor::detail {

class PeerTable {
public:
    struct Peer {
        Value value;
        double count = 0;          // valid_pings when it last pinged
        NameTable::Id id = NameTable::none;  // this entry's name (name())
        std::uint32_t bytes = 0;   // value_footprint(value) while has_value
        // The recency list, as pool slots (4 bytes, not 8, a link).
        std::uint32_t older = IdIndex::nil;
        std::uint32_t newer = IdIndex::nil;
        std::uint32_t slot = IdIndex::nil;  // its own
        bool has_value = false;    // in the value map
        bool has_count = false;    // recovery record holds a number
    };
    using Kept = std::unordered_set<std::string_view>;

    // `names`: the table to intern names in (null: one of its own).
    PeerTable(std::size_t max_names, std::size_t max_value_bytes,
              std::shared_ptr<NameTable> names = nullptr);
    ~PeerTable();
    PeerTable(const PeerTable&) = delete;
    PeerTable& operator=(const PeerTable&) = delete;

    Peer* find(const std::string& n) const;
    // Move an existing entry to the newest end of the recency list.
    void mark_heard(Peer& p);
    // A new entry (n must not be in the table), newest.
    Peer& insert(const std::string& n);
    // Sets p's value; true when the value bytes now exceed their budget and
    // an eviction is due (then call evict(kept, &p)).
    bool set_value(Peer& p, const Value& v);
    // Whether a new name is due an eviction first.
    bool full() const;
    // Forget up to an eighth of the names not in `kept` and not `spare`,
    // least recently heard first; returns how many went.
    std::size_t evict(const Kept& kept, const Peer* spare = nullptr);
    // The plain map lookup, without the recent-lookup cache.
    Peer* lookup(const std::string& n);
    const std::string& name(const Peer& p) const { return names_->name(p.id); }

    std::size_t size() const { return index_.size(); }
    std::size_t valued() const { return valued_; }
    std::size_t value_bytes() const { return value_bytes_; }

private:
    void note_recent(Peer* p) const;
    void unlink(Peer& p);
    void link_newest(Peer& p);

    std::size_t max_names_;
    std::size_t max_value_bytes_;
    std::shared_ptr<NameTable> names_;
    struct Recent {
        NameTable::Id id = NameTable::none;  // beside the pointer: no peer is read to compare
        Peer* peer = nullptr;
    };
    mutable std::array<Recent, 8> recent_{};
    mutable std::size_t recent_next_ = 0;
    // A full table replaces one entry per new name: freed entries are
    // reused in place of a malloc/free pair each.
    SlotPool<Peer, std::deque<Peer>> pool_;
    IdIndex index_;  // id -> pool slot
    std::size_t valued_ = 0;
    std::size_t value_bytes_ = 0;
    std::size_t names_floor_ = 0;  // evict for names again only at this size
    std::size_t bytes_floor_ = 0;  // evict for bytes again only past this
    std::uint32_t oldest_ = IdIndex::nil;
    std::uint32_t newest_ = IdIndex::nil;
};

}  // namespace actor::detail
