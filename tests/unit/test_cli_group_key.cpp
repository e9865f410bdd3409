// --group-key: the key file's checks (mode, contents, status 77 for a
// loose file) and its three sources (argv, ACTOR_GROUP_KEY_FILE, the
// --config file), and the size check's room for the seal.
#include "actor/cli.hpp"
#include "unit/cli_test_helpers.hpp"

#include <CLI/CLI.hpp>
#include "actor/auth.hpp"
#include "actor/exit_status.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr const char* key_a = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

class GroupKeyFile : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/actor-gk-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ::unsetenv("ACTOR_GROUP_KEY_FILE");
        ::unsetenv("ACTOR_BROKER");
        ::unsetenv("ACTOR_NAME");
    }
    void TearDown() override {
        for (const auto& f : files_) ::unlink(f.c_str());
        ::rmdir(dir_.c_str());
        ::unsetenv("ACTOR_GROUP_KEY_FILE");
    }
    std::string file(const std::string& name, const std::string& text, mode_t mode) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
        files_.push_back(path);
        return path;
    }
    static int parse_args(actor::cli::CommonOptions& o, std::vector<std::string> args) {
        return actor::clitest::parse_args(o, std::move(args));
    }
    std::string dir_;
    std::vector<std::string> files_;
};

TEST_F(GroupKeyFile, ModeOwnerOnlyIsRequired) {
    const auto ok = file("ok", std::string(key_a) + "\n", 0600);
    auto keys = actor::cli::read_group_key_file(ok);
    ASSERT_TRUE(keys.ok()) << keys.error().text();
    EXPECT_EQ(keys->keys.size(), 1u);
    EXPECT_TRUE(actor::cli::read_group_key_file(file("ro", std::string(key_a) + "\n", 0400)).ok());
    for (mode_t loose : {0640, 0604, 0660, 0644, 0601}) {
        const auto path = file("loose", std::string(key_a) + "\n", loose);
        const auto r = actor::cli::read_group_key_file(path);
        ASSERT_FALSE(r.ok()) << std::oct << loose;
        EXPECT_EQ(r.error().status, actor::exit_status::denied);
        EXPECT_EQ(r.error().subject, "--group-key");
        EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos);
        EXPECT_EQ(r.error().text().find(key_a), std::string::npos);
    }
}

TEST_F(GroupKeyFile, BadContentsAndMissingFilesAreUsageErrors) {
    const auto r = actor::cli::read_group_key_file(file("short", "c2hvcnQ=\n", 0600));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, actor::exit_status::usage);
    const auto m = actor::cli::read_group_key_file(dir_ + "/none");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status, actor::exit_status::usage);
    const auto d = actor::cli::read_group_key_file(dir_);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(GroupKeyFile, ArgvEnvironmentAndConfigFile) {
    const auto key = file("k", std::string(key_a) + "\n", 0600);
    {
        actor::cli::CommonOptions o;
        ASSERT_EQ(parse_args(o, {"--group-key", key, "g"}), -1);
        ASSERT_TRUE(o.group_keys);
        EXPECT_TRUE(actor::runtime_options(o).group_keys.has_value());
    }
    {
        ::setenv("ACTOR_GROUP_KEY_FILE", key.c_str(), 1);
        actor::cli::CommonOptions o;
        ASSERT_EQ(parse_args(o, {"g"}), -1);
        EXPECT_TRUE(o.group_keys);
        ::unsetenv("ACTOR_GROUP_KEY_FILE");
    }
    {
        const auto conf = file("conf", "group-key = \"" + key + "\"\n", 0600);
        actor::cli::CommonOptions o;
        ASSERT_EQ(parse_args(o, {"--config", conf, "g"}), -1);
        EXPECT_TRUE(o.group_keys);
    }
    {
        actor::cli::CommonOptions o;
        EXPECT_FALSE(parse_args(o, {"g"}) == -1 && o.group_keys);
    }
    {
        const auto loose = file("loose", std::string(key_a) + "\n", 0644);
        actor::cli::CommonOptions o;
        EXPECT_EQ(parse_args(o, {"--group-key", loose, "g"}), actor::exit_status::denied);
    }
}

TEST_F(GroupKeyFile, SizeCheckLeavesRoomForTheSeal) {
    const auto key = file("k", std::string(key_a) + "\n", 0600);
    // A value that fits Serf's budget unkeyed, but not with the seal.
    for (int len = 300; len < 480; ++len) {
        actor::cli::CommonOptions plain, keyed;
        const std::string value = "\"" + std::string(static_cast<std::size_t>(len), 'v') + "\"";
        const int p = parse_args(plain, {"-b", "serf://127.0.0.1:7373", "-n", "n", "--value", value, "g"});
        const int k = parse_args(keyed, {"-b", "serf://127.0.0.1:7373", "-n", "n", "--value", value,
                                         "--group-key", key, "g"});
        if (p == -1 && k != -1) {
            EXPECT_EQ(k, actor::exit_status::usage);
            return;
        }
    }
    FAIL() << "no value fits unkeyed and not keyed";
}

}  // namespace
