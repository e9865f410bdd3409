#pragma once
// A private mosquitto broker for tests.
//
//   actor::test::Broker broker;              // anonymous, no ACL
//   ASSERT_TRUE(broker.start()) << broker.log();
//   ... connect to broker.url() (mqtt://127.0.0.1:PORT) ...
//   broker.stop();  broker.start();          // same port again
//
// The port is picked by binding port 0 on 127.0.0.1 and closing it; the
// config, password file, ACL file and the broker's log live in a fresh temp
// directory removed by the destructor. start() returns once the broker
// accepts TCP connections (or false after the deadline, with log() telling
// why); stop() sends SIGTERM to the broker's PID and reaps it (SIGKILL if it
// lingers). Nothing is shared between Broker objects, so tests can run in
// parallel.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <sys/types.h>

namespace actor::test {

struct BrokerConfig {
    // user -> password. Empty: anonymous clients are allowed. Non-empty: a
    // password_file is made with `mosquitto_passwd -b` and anonymous clients
    // are refused.
    std::map<std::string, std::string> users;
    // Contents of an acl_file (mosquitto.conf(5) syntax), e.g.
    // "topic write actor/#\n". Empty: no ACL, everything allowed.
    // Mosquitto 2.0's acl_file only filters delivery: a SUBSCRIBE to an
    // unreadable topic is still granted. For a refused SUBSCRIBE use:
    std::string acl;
    // Topics whose SUBSCRIBE anonymous clients get refused (SUBACK 0x80),
    // through the dynamic-security plugin's anonymous group.
    std::vector<std::string> deny_subscribe;
};

class Broker {
public:
    explicit Broker(BrokerConfig config = {});
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    // Starts mosquitto (if not running) and waits until it accepts TCP
    // connections. False on failure or deadline; see log().
    bool start(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // SIGTERM + waitpid (SIGKILL after `grace`). No-op when not running.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    bool running() const { return pid_ > 0; }

    std::uint16_t port() const { return port_; }
    std::string url() const;          // mqtt://127.0.0.1:PORT
    const std::string& dir() const { return dir_; }
    std::string log() const;          // the broker's stdout+stderr so far

    // A loopback TCP port that was free a moment ago.
    static std::uint16_t free_port();

private:
    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::string setup_error_;
};

}  // namespace actor::test
