#include "support/broker.hpp"
#include "support/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace actor::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Debian installs the broker in /usr/sbin, often not on a user's PATH.
std::string find_program(const std::string& name) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
        const std::string path = std::string(dir) + name;
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return name;  // let posix_spawnp search PATH
}

// Runs a program to completion with output appended to `log`; its exit
// status or -1.
int run(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::uint16_t Broker::free_port() { return free_loopback_port(); }

Broker::Broker(BrokerConfig config) {
    std::string tmpl = (fs::temp_directory_path() / "actor-broker-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
        throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    }
    dir_ = tmpl;
    port_ = free_port();

    std::ofstream conf(dir_ + "/mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "persistence false\n"
         << "log_dest stdout\n"
         << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
    // As root, mosquitto would switch to the "mosquitto" user, which cannot
    // read our 0600 files.
    if (::geteuid() == 0) conf << "user root\n";
    if (config.users.empty()) {
        conf << "allow_anonymous true\n";
    } else {
        const std::string pwfile = dir_ + "/passwd";
        std::ofstream(pwfile).close();
        ::chmod(pwfile.c_str(), 0600);
        for (const auto& [user, password] : config.users) {
            if (run({find_program("mosquitto_passwd"), "-b", pwfile, user, password},
                    dir_ + "/passwd.log") != 0) {
                setup_error_ = "mosquitto_passwd failed for user " + user;
            }
        }
        conf << "allow_anonymous false\npassword_file " << pwfile << "\n";
    }
    if (!config.deny_subscribe.empty()) {
        const std::string plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
        if (::access(plugin.c_str(), R_OK) != 0) setup_error_ = plugin + " not found";
        const std::string dynsec = dir_ + "/dynsec.json";
        std::ofstream out(dynsec);
        out << R"({"defaultACLAccess":{"publishClientSend":true,"publishClientReceive":true,)"
            << R"("subscribe":true,"unsubscribe":true},"clients":[],)"
            << R"("groups":[{"groupname":"anonymous","roles":[{"rolename":"deny"}]}],)"
            << R"("roles":[{"rolename":"deny","acls":[)";
        for (std::size_t i = 0; i < config.deny_subscribe.size(); ++i) {
            // Topics are test constants: no JSON escaping needed.
            out << (i ? "," : "") << R"({"acltype":"subscribePattern","topic":")"
                << config.deny_subscribe[i] << R"(","priority":0,"allow":false})";
        }
        out << R"(]}],"anonymousGroup":"anonymous"})" << "\n";
        out.close();
        ::chmod(dynsec.c_str(), 0600);
        conf << "plugin " << plugin << "\nplugin_opt_config_file " << dynsec << "\n";
    }
    if (!config.acl.empty()) {
        const std::string aclfile = dir_ + "/acl";
        std::ofstream(aclfile) << config.acl;
        ::chmod(aclfile.c_str(), 0600);
        conf << "acl_file " << aclfile << "\n";
    }
}

Broker::~Broker() {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string Broker::url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }

std::string Broker::log() const {
    std::ifstream in(dir_ + "/broker.log");
    std::stringstream ss;
    ss << setup_error_ << (setup_error_.empty() ? "" : "\n") << in.rdbuf();
    return ss.str();
}

bool Broker::start(std::chrono::milliseconds deadline) {
    if (!setup_error_.empty()) return false;
    if (running()) return true;
    const std::string prog = find_program("mosquitto");
    const std::string conf = dir_ + "/mosquitto.conf";
    const std::string logfile = dir_ + "/broker.log";
    std::vector<char*> args{const_cast<char*>(prog.c_str()), const_cast<char*>("-c"),
                            const_cast<char*>(conf.c_str()), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    const int rc = posix_spawnp(&pid_, prog.c_str(), &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        pid_ = -1;
        setup_error_ = "cannot start " + prog + ": " + std::strerror(rc);
        return false;
    }
    // Poll until the listener answers; give up early if the broker died
    // (bad config, port taken).
    const auto end = Clock::now() + deadline;
    while (Clock::now() < end) {
        if (loopback_accepts(port_)) return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    return false;
}

void Broker::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto end = Clock::now() + grace;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() >= end) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

}  // namespace actor::test
