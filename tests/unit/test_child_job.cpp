// actor::Job (child.hpp): exit statuses, exec failures in shell wording, the
// job's own process group and environment, terminate with escalation, no
// zombie left behind.
#include "actor/child.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

namespace {

using namespace std::chrono_literals;

// Runs the job to its end (bounded) and returns its status.
std::optional<int> run_job(actor::JobSpec spec, std::chrono::milliseconds bound = 5000ms,
                           std::function<void(actor::Job&)> after_start = {}) {
    boost::asio::io_context io;
    actor::Job job(io);
    std::optional<int> status;
    auto started = job.start(spec, [&](int s) { status = s; });
    EXPECT_TRUE(started) << (started ? "" : started.error().text());
    if (!started) return std::nullopt;
    if (after_start) after_start(job);
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!status && std::chrono::steady_clock::now() < deadline) io.run_for(20ms);
    return status;
}

std::string temp_path(const char* name) {
    return std::string(::testing::TempDir()) + "/child_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s;
}

void expect_no_children() {
    int st = 0;
    errno = 0;
    EXPECT_EQ(::waitpid(-1, &st, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(ChildJob, ExitStatusesPassThrough) {
    EXPECT_EQ(run_job({{"true"}, {}}), 0);
    EXPECT_EQ(run_job({{"false"}, {}}), 1);
    EXPECT_EQ(run_job({{"/bin/sh", "-c", "exit 42"}, {}}), 42);
    EXPECT_EQ(run_job({{"/bin/sh", "-c", "kill -USR1 $$"}, {}}), 128 + SIGUSR1);
    expect_no_children();
}

TEST(ChildJob, MissingCommandIsNotFound127) {
    boost::asio::io_context io;
    actor::Job job(io);
    auto started = job.start({{"no-such-command-for-actor-tests"}, {}}, [](int) {});
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().status, 127);
    EXPECT_EQ(started.error().text(), "no-such-command-for-actor-tests: command not found");
    EXPECT_FALSE(job.running());
}

TEST(ChildJob, NotExecutableIs126) {
    const auto path = temp_path("not_exec");
    { std::ofstream(path) << "echo hi\n"; }
    boost::asio::io_context io;
    actor::Job job(io);
    auto started = job.start({{path}, {}}, [](int) {});
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().status, 126);
    EXPECT_NE(started.error().text().find("Permission denied"), std::string::npos);
    std::remove(path.c_str());
}

TEST(ChildJob, ScriptWithoutShebangRunsWithSh) {
    const auto path = temp_path("no_shebang");
    { std::ofstream(path) << "exit 7\n"; }
    ::chmod(path.c_str(), 0755);
    EXPECT_EQ(run_job({{path}, {}}), 7);
    std::remove(path.c_str());
}

TEST(ChildJob, OwnProcessGroupAndEnvironment) {
    const auto out = temp_path("env");
    const std::string script = "echo \"$(ps -o pgid= -p $$ | tr -d ' ') $ACTOR_GROUP $HOME\" >" + out;
    boost::asio::io_context io;
    actor::Job job(io);
    std::optional<int> status;
    ASSERT_TRUE(job.start({{"/bin/sh", "-c", script}, {{"ACTOR_GROUP", "a/b"}, {"HOME", "/nowhere"}}},
                           [&](int s) { status = s; }));
    const pid_t pgid = job.pgid();
    EXPECT_NE(pgid, ::getpgrp());
    for (int i = 0; i < 250 && !status; ++i) io.run_for(20ms);
    ASSERT_EQ(status, 0);
    EXPECT_EQ(slurp(out), std::to_string(pgid) + " a/b /nowhere\n");
    std::remove(out.c_str());
}

TEST(ChildJob, TerminateEscalatesToKillForTheWholeGroup) {
    // The shell ignores SIGTERM (and so does its sleep): only SIGKILL ends it.
    const auto ready = temp_path("term_ready");
    std::remove(ready.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    auto status = run_job({{"/bin/sh", "-c", "trap '' TERM; : >" + ready + "; sleep 30; echo late"}, {}},
                          5000ms, [&](actor::Job& j) {
                              // Only once the trap is set does SIGTERM find it ignored.
                              for (int i = 0; i < 250 && ::access(ready.c_str(), F_OK) != 0; ++i)
                                  ::usleep(20 * 1000);
                              j.terminate(200ms);
                          });
    EXPECT_EQ(status, 128 + SIGKILL);
    std::remove(ready.c_str());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    expect_no_children();
}

TEST(ChildJob, SignalReachesTheJob) {
    const auto ready = temp_path("trap_ready");
    std::remove(ready.c_str());
    auto status = run_job({{"/bin/sh", "-c", "trap 'exit 5' HUP; : >" + ready + "; sleep 30 & wait"}, {}},
                          5000ms, [&](actor::Job& j) {
                              // Signal once the shell has set its trap (bounded wait).
                              for (int i = 0; i < 250 && ::access(ready.c_str(), F_OK) != 0; ++i)
                                  ::usleep(20 * 1000);
                              j.signal(SIGHUP);
                          });
    EXPECT_EQ(status, 5);
    std::remove(ready.c_str());
}

TEST(ChildJob, DestructorKillsARunningJob) {
    pid_t pgid = -1;
    {
        boost::asio::io_context io;
        actor::Job job(io);
        ASSERT_TRUE(job.start({{"sleep", "30"}, {}}, [](int) {}));
        pgid = job.pgid();
        EXPECT_EQ(::kill(-pgid, 0), 0);
    }
    // The keeper reaped the job before it exited: nothing of the group is left.
    EXPECT_NE(::kill(-pgid, 0), 0);
    expect_no_children();
}

TEST(ChildJob, FindProgramSearchesPath) {
    auto sh = actor::find_program("sh");
    ASSERT_TRUE(sh);
    EXPECT_EQ(sh->back(), 'h');
    auto missing = actor::find_program("/no/such/dir/prog");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().status, 127);
}

}  // namespace
