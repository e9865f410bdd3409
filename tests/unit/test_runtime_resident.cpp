// trim_resident_pages (actor/resident.hpp): the file pages leave the page
// tables, and nothing the process holds changes.
#include "actor/resident.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace {

// KiB of a /proc/self/status field, -1 when missing.
long status_kib(const std::string& field) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return -1;
}

// Pointers the dynamic linker wrote at load (RELRO in a PIE): were such a
// page dropped, it would come back from the file unrelocated.
const char* const relocated[] = {"alpha", "beta", "gamma"};
// Written at run time: a private page of a writable mapping.
int written[1024];

}  // namespace

TEST(Resident, DropsFilePagesAndKeepsEverythingItHolds) {
    for (int i = 0; i < 1024; ++i) written[i] = i * 7;
    const std::string text(relocated[1]);
    const long file_before = status_kib("RssFile");
    ASSERT_GT(file_before, 0) << "no /proc/self/status";

    const std::size_t advised = actor::trim_resident_pages();
    EXPECT_GT(advised, 0u);  // at least this binary's own text
    const long file_after = status_kib("RssFile");
    EXPECT_LT(file_after, file_before);

    // Code and constants fault back in; relocated and written data are intact.
    EXPECT_EQ(std::string(relocated[0]) + relocated[1] + relocated[2], "alphabetagamma");
    EXPECT_EQ(text, "beta");
    long sum = 0;
    for (int i = 0; i < 1024; ++i) sum += written[i];
    EXPECT_EQ(sum, 7L * 1023 * 1024 / 2);
    // A second call is as safe as the first.
    EXPECT_GT(actor::trim_resident_pages(), 0u);
    EXPECT_EQ(std::string(relocated[2]), "gamma");
}
