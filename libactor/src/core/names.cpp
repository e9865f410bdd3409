// Interned names (actor/names.hpp).
#include "actor/names.hpp"

namespace actor {

namespace {
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[j]);
        if (digit(x) && digit(y)) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && digit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && digit(static_cast<unsigned char>(b[je]))) ++je;
            std::size_t iz = i, jz = j;  // past the leading zeros
            while (iz + 1 < ie && a[iz] == '0') ++iz;
            while (jz + 1 < je && b[jz] == '0') ++jz;
            const std::string_view na = a.substr(iz, ie - iz), nb = b.substr(jz, je - jz);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ie;
            j = je;
            continue;
        }
        if (x != y) return x < y;
        ++i;
        ++j;
    }
    if ((i < a.size()) != (j < b.size())) return j < b.size();
    return a < b;  // equal as numbers ("n07", "n7"): by bytes
}

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
    }
    Slot& s = slots_[id];
    s.name.assign(n);
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
