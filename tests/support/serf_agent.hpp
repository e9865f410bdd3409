#pragma once
// A Serf agent for tests: started on free loopback ports with its own log
// and config files in a fresh temporary directory, waited for with a
// deadline until its RPC port accepts, stopped by PID.
//
// Header-only (inline) so it needs no change to tests/CMakeLists.txt.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/ports.hpp"

extern char** environ;

namespace actor::test {

class SerfAgent {
public:
    struct Options {
        std::string node = "a";
        std::optional<std::uint16_t> join_port;  // -join=127.0.0.1:PORT
        std::string config_json;                 // non-empty: -config-file=
    };

    explicit SerfAgent(std::string node, std::optional<std::uint16_t> join_port = std::nullopt,
                       std::string config_json = {})
        : SerfAgent(Options{std::move(node), join_port, std::move(config_json)}) {}
    explicit SerfAgent(Options o)
        : opts_(std::move(o)), bind_port_(free_loopback_port(true)), rpc_port_(free_loopback_port()) {
        auto base = std::filesystem::temp_directory_path() / "actor-serf-XXXXXX";
        std::string tmpl = base.string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        if (!opts_.config_json.empty()) std::ofstream(dir_ / "config.json") << opts_.config_json;
    }
    ~SerfAgent() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    SerfAgent(const SerfAgent&) = delete;
    SerfAgent& operator=(const SerfAgent&) = delete;

    std::uint16_t rpc_port() const { return rpc_port_; }
    std::uint16_t bind_port() const { return bind_port_; }
    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0; }
    std::filesystem::path log_path() const { return dir_ / "agent.log"; }

    // Starts the agent and waits until its RPC port accepts connections.
    void start(std::chrono::milliseconds deadline = std::chrono::seconds(15)) {
        if (pid_ > 0) return;
        std::vector<std::string> args = {
            "serf", "agent", "-node=" + opts_.node,
            "-bind=127.0.0.1:" + std::to_string(bind_port_),
            "-rpc-addr=127.0.0.1:" + std::to_string(rpc_port_), "-profile=local"};
        if (opts_.join_port) args.push_back("-join=127.0.0.1:" + std::to_string(*opts_.join_port));
        if (!opts_.config_json.empty())
            args.push_back("-config-file=" + (dir_ / "config.json").string());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        const std::string log = log_path().string();
        posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        pid_t pid = 0;
        const int rc = ::posix_spawnp(&pid, "serf", &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start serf: " + std::to_string(rc));
        pid_ = pid;

        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!loopback_accepts(rpc_port_)) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("serf agent exited during startup; log:\n" + log_text());
            }
            if (std::chrono::steady_clock::now() > until) {
                stop();
                throw std::runtime_error("serf agent RPC port never opened; log:\n" + log_text());
            }
            // Polling a port that has no readiness event; bounded by `until`.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    // SIGTERM, then SIGKILL after `grace`; always reaps the child.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        const auto until = std::chrono::steady_clock::now() + grace;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > until) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = -1;
    }

    // kill -9: no graceful leave, no snapshot flush.
    void kill_hard() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    // Same node name and ports: a new agent process with a fresh clock.
    void restart() {
        stop();
        start();
    }

    std::string log_text() const {
        std::ifstream in(log_path());
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

private:
    Options opts_;
    std::uint16_t bind_port_;
    std::uint16_t rpc_port_;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
};

}  // namespace actor::test
