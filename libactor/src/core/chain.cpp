// The chain of docs/PROTOCOL.md ("The chain (history list)"):
//   adding x: remove x if present (at index i); then, if bounded and not
//   empty, and either x was found at an index that was not the last one or
//   the length is now exactly the bound, drop the last entry; insert x at
//   the front. So re-adding an old name shortens the list by one and stale
//   names fall off; a list adopted longer than its bound is never trimmed.
#include "actor/chain.hpp"

#include <algorithm>

namespace actor {

Chain Chain::adopt(std::vector<std::string> names, std::int64_t bound) {
    Chain c(bound);
    c.names_ = std::move(names);
    return c;
}

void Chain::add(const std::string& name) {
    auto it = std::find(names_.begin(), names_.end(), name);
    bool found_not_last = false;
    if (it != names_.end()) {
        found_not_last = (it + 1) != names_.end();
        names_.erase(it);
    }
    if (bound_ > 0 && !names_.empty() &&
        (found_not_last || names_.size() == static_cast<std::size_t>(bound_))) {
        names_.pop_back();
    }
    names_.insert(names_.begin(), name);
    if (names_.size() > max_chain_length) names_.pop_back();
}

std::optional<std::size_t> Chain::index_of(const std::string& name) const {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names_.begin());
}

std::vector<std::string> Chain::head(std::size_t n) const {
    n = std::min(n, names_.size());
    return {names_.begin(), names_.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace actor
