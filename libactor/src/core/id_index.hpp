#pragma once
// A map from interned name ids (actor/names.hpp) to 32-bit slots: open
// addressing, linear probing, backward-shift deletion (no tombstones), a
// power-of-two table at most 3/4 full. Private to the core: the turn order
// and the peer table index their pools with it.
#include "actor/names.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace actor::detail {

class IdIndex {
public:
    using Id = NameTable::Id;
    static constexpr std::uint32_t nil = UINT32_MAX;

    IdIndex() = default;
    IdIndex(IdIndex&& o) noexcept
        : cells_(std::move(o.cells_)), size_(std::exchange(o.size_, 0)), shift_(std::exchange(o.shift_, 64)) {
        o.cells_.clear();
    }
    IdIndex& operator=(IdIndex&&) = delete;

    std::size_t size() const { return size_; }
    std::uint32_t find(Id id) const {
        if (id == NameTable::none || cells_.empty()) return nil;
        const std::size_t mask = cells_.size() - 1;
        for (std::size_t i = home(id);; i = (i + 1) & mask) {
            if (cells_[i].id == id) return cells_[i].slot;
            if (cells_[i].id == NameTable::none) return nil;
        }
    }
    // id must not be present.
    void put(Id id, std::uint32_t slot) {
        if ((size_ + 1) * 4 > cells_.size() * 3) grow();
        place(id, slot);
        ++size_;
    }
    // id must be present.
    void erase(Id id) {
        const std::size_t mask = cells_.size() - 1;
        std::size_t i = home(id);
        while (cells_[i].id != id) i = (i + 1) & mask;
        for (std::size_t j = (i + 1) & mask; cells_[j].id != NameTable::none; j = (j + 1) & mask) {
            const std::size_t k = home(cells_[j].id);
            // j stays unless its home lies cyclically outside (i, j].
            const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (stays) continue;
            cells_[i] = cells_[j];
            i = j;
        }
        cells_[i] = Cell{};
        --size_;
    }
    void clear() {
        cells_.clear();
        size_ = 0;
        shift_ = 64;
    }
    template <class F>
    void for_each(F&& f) const {
        for (const auto& c : cells_)
            if (c.id != NameTable::none) f(c.id, c.slot);
    }
    std::size_t bytes() const { return cells_.capacity() * sizeof(Cell); }

private:
    struct Cell {
        Id id = NameTable::none;
        std::uint32_t slot = nil;
    };
    std::size_t home(Id id) const {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void place(Id id, std::uint32_t slot) {
        const std::size_t mask = cells_.size() - 1;
        std::size_t i = home(id);
        while (cells_[i].id != NameTable::none) i = (i + 1) & mask;
        cells_[i] = Cell{id, slot};
    }
    void grow() {
        std::vector<Cell> old = std::move(cells_);
        const std::size_t cap = old.empty() ? 16 : old.size() * 2;
        cells_.assign(cap, Cell{});
        shift_ = 64;
        for (std::size_t c = cap; c > 1; c >>= 1) --shift_;
        for (const auto& c : old)
            if (c.id != NameTable::none) place(c.id, c.slot);
    }

    std::vector<Cell> cells_;
    std::size_t size_ = 0;
    unsigned shift_ = 64;
};

}  // namespace actor::detail
