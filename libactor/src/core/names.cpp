// Interned names (actor/names.hpp).
#include "actor/names.hpp"

namespace actor {

NameTable::Id NameTable::retain(std::string_view n) {
    Id id = find(n);
    if (id != none) {
        ++slots_[id].refs;
        return id;
    }
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        id = static_cast<Id>(slots_.size());
        slots_.emplace_back();
        prefix_.push_back(0);
    }
    Slot& s = slots_[id];
    s.name.assign(n);
    std::uint64_t p = 0;
    for (std::size_t k = 0; k < 8; ++k)
        p = (p << 8) | (k < n.size() ? static_cast<unsigned char>(n[k]) : 0u);
    prefix_[id] = p;
    s.refs = 1;
    ids_.emplace(std::string_view(s.name), id);
    return id;
}

void NameTable::release(Id id) {
    Slot& s = slots_[id];
    if (--s.refs > 0) return;
    ids_.erase(std::string_view(s.name));
    if (last_ == id) last_ = none;
    s.name.clear();
    s.name.shrink_to_fit();
    free_.push_back(id);
}

}  // namespace actor
