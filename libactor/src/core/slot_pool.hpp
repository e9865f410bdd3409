#pragma once
// A pool of T in 32-bit slots with a free list: a freed slot is reset to T{}
// at once (its memory goes now) and is the next one handed out (last freed,
// first reused), so the same calls give the same slots. Private to the core:
// the turn order (over a vector) and the peer table (over a deque: entries
// never move) keep their entries in one.
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace actor::detail {

template <class T, class Store = std::vector<T>>
class SlotPool {
public:
    SlotPool() = default;
    SlotPool(SlotPool&& o) noexcept(std::is_nothrow_move_constructible_v<Store>)
        : items_(std::move(o.items_)), free_(std::move(o.free_)) {
        o.clear();
    }
    SlotPool& operator=(SlotPool&&) = delete;

    // A slot whose element is T{}.
    std::uint32_t acquire() {
        if (!free_.empty()) {
            const std::uint32_t s = free_.back();
            free_.pop_back();
            return s;
        }
        items_.emplace_back();
        return static_cast<std::uint32_t>(items_.size() - 1);
    }
    // s must be in use; its element is not to be touched after.
    void release(std::uint32_t s) {
        items_[s] = T{};
        free_.push_back(s);
    }
    void clear() {
        items_.clear();
        free_.clear();
    }
    T& operator[](std::uint32_t s) { return items_[s]; }
    const T& operator[](std::uint32_t s) const { return items_[s]; }

private:
    Store items_;
    std::vector<std::uint32_t> free_;
};

}  // namespace actor::detail
