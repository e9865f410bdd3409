#pragma once
// The chain (history list) of docs/PROTOCOL.md: distinct names, newest first,
// with a bound fixed when the chain is created.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actor {

// The most names a chain holds, bounded or not: an unbounded chain (nodes
// <= 0) fed fresh names by a hostile publisher drops its oldest entry
// beyond this, so every chain operation stays O(max_chain_length).
inline constexpr std::size_t max_chain_length = 1024;

// docs/PROTOCOL.md, receiving step 5: a ping's history continues the chain
// whose head is `head` when its second entry is that head (the sender put
// itself in front of it). The one home of the test, for the node and for
// actor-watch's collision count.
inline bool continues(const std::vector<std::string>& history, const std::string& head) {
    return history.size() >= 2 && history[1] == head;
}

class Chain {
public:
    explicit Chain(std::int64_t bound = 0) : bound_(bound) {}
    // A copy of a received history, exactly as received (not truncated).
    static Chain adopt(std::vector<std::string> names, std::int64_t bound);

    // Add `name` at the front by the three steps of docs/PROTOCOL.md.
    void add(const std::string& name);

    const std::vector<std::string>& names() const { return names_; }
    std::size_t size() const { return names_.size(); }
    bool empty() const { return names_.empty(); }
    std::int64_t bound() const { return bound_; }
    const std::string* at(std::size_t i) const {
        return i < names_.size() ? &names_[i] : nullptr;
    }
    std::optional<std::size_t> index_of(const std::string& name) const;
    // The first n entries.
    std::vector<std::string> head(std::size_t n) const;

private:
    std::vector<std::string> names_;
    std::int64_t bound_;
};

}  // namespace actor
