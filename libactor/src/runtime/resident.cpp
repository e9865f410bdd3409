// Resident set trim (actor/resident.hpp).
//
// Loading a shared library maps far more of it than the process will ever
// run: the dynamic linker reads the symbol and relocation tables once, and
// every page fault on a file mapping maps its neighbours too (the kernel's
// fault-around, 64 KiB by default). Measured on actor-join (Debian 12,
// bench/bench_footprint.sh): libcrypto alone is 1.4 MiB resident without a
// single TLS call, libc 1.1 MiB, the tool's own text 0.8 MiB.
//
// trim_resident_pages() walks /proc/self/smaps once and, for every mapping
// of a file that is not writable and holds no private (copied) page, asks
// the kernel for page-by-page faults from now on (MADV_RANDOM: no
// fault-around) and drops the pages from this process's page tables
// (MADV_DONTNEED). Such a mapping holds nothing but the file's bytes, so
// this loses nothing: the pages stay in the page cache, shared, and the
// next touch maps exactly that page again. Mappings with a private page
// (RELRO data after relocation, anything written) are left alone: dropping
// those would revert them to the file's contents.
#include "actor/resident.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace actor {

namespace {

struct Mapping {
    std::uintptr_t start = 0, end = 0;
    bool candidate = false;  // a file, not writable
};

}  // namespace

std::size_t trim_resident_pages() {
    std::FILE* f = std::fopen("/proc/self/smaps", "re");
    if (!f) return 0;
    std::vector<Mapping> keep;
    Mapping cur;
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
        unsigned long a = 0, b = 0;
        char perms[8] = {};
        int path_at = 0;
        // A mapping's header: "start-end perms offset dev inode [path]".
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &path_at) == 3 &&
            path_at > 0) {
            cur = {a, b, line[path_at] == '/' && std::strchr(perms, 'w') == nullptr};
            continue;
        }
        unsigned long kb = 0;
        if (cur.candidate && std::sscanf(line, "Anonymous: %lu kB", &kb) == 1 && kb == 0)
            keep.push_back(cur);
    }
    std::fclose(f);
    std::size_t bytes = 0;
    for (const Mapping& m : keep) {
        void* p = reinterpret_cast<void*>(m.start);
        const std::size_t len = m.end - m.start;
        if (::madvise(p, len, MADV_RANDOM) == 0 && ::madvise(p, len, MADV_DONTNEED) == 0)
            bytes += len;
    }
    return bytes;
}

}  // namespace actor
