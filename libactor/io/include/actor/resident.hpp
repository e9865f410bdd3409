#pragma once
// Keeping a long-running tool's resident set to what it uses (Linux).
#include <cstddef>

namespace actor {

// Drops from this process's page tables every page of a read-only file
// mapping that holds no private page (shared libraries' and the tool's own
// text and read-only data), and asks for page-by-page faults on them from
// now on: what is used again is mapped again, one page at a time; nothing
// is lost (the pages stay in the page cache). Call once, after start-up.
// Returns the bytes of address space advised (0 when /proc is missing).
// src/runtime/resident.cpp says why and what it buys.
std::size_t trim_resident_pages();

}  // namespace actor
