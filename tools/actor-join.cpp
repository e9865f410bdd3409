// actor-join GROUP: take part in the rotation and print events (docs/CLI.md).
// Parse, connect, run, map the ending to an exit status.
#include "actor/cli.hpp"

#include <CLI/CLI.hpp>
#include "actor/event_json.hpp"
#include "actor/runtime.hpp"

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <cmath>
#include <string>

namespace {

// Control lines longer than this are refused (and skipped to their end).
constexpr std::size_t max_control_line = 64 * 1024;

struct JoinOptions {
    bool passive = false;
    bool raw = false;
    bool control = false;
    long count = 0;
};

// A duration in a control line: seconds as a number, or "250ms"-style text.
double seconds_of(const nlohmann::json& j, const char* field) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
        auto d = actor::cli::parse_duration(j.get<std::string>());
        if (d) return actor::to_seconds(*d);
        throw std::invalid_argument(std::string(field) + ": " + d.error().message);
    }
    throw std::invalid_argument(std::string(field) + ": not a duration");
}

// Carries out one --control command; returns the reason it was refused.
std::optional<std::string> run_command(actor::Runtime& rt, const std::string& line) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
        return "control: not JSON";
    }
    if (!j.is_object() || !j.contains("cmd") || !j["cmd"].is_string())
        return "control: a command is an object with a \"cmd\" string";
    const std::string cmd = j["cmd"].get<std::string>();
    auto int_field = [&](const char* f, std::int64_t dflt) -> std::int64_t {
        if (!j.contains(f)) return dflt;
        if (!j[f].is_number_integer()) throw std::invalid_argument(std::string(f) + ": not an integer");
        return j[f].get<std::int64_t>();
    };
    try {
        if (cmd == "value") {
            if (!j.contains("value")) return "control: value: needs a \"value\"";
            auto v = actor::value_from_json(j["value"]);
            // A value our pings cannot carry is refused; the old one stays.
            if (auto bad = rt.value_fits(v)) return "control: value: " + *bad;
            rt.with_node([&](actor::Node& n, actor::Time) { n.set_value(v); });
        } else if (cmd == "ready") {
            const bool ready = j.contains("ready") ? j["ready"].get<bool>() : true;
            rt.with_node([&](actor::Node& n, actor::Time) { n.set_ready(ready); });
        } else if (cmd == "enable") {
            // Without "nodes" the config never changes (Node::enable).
            const auto len = int_field("nodes", 0);
            rt.with_node([&](actor::Node& n, actor::Time now) { n.enable(len, now); });
        } else if (cmd == "disable") {
            const auto len = int_field("nodes", 0);
            rt.with_node([&](actor::Node& n, actor::Time now) { n.disable(len, now); });
        } else if (cmd == "config") {
            actor::Config c = rt.node().config();
            // Without a version the change is meant as the next one.
            if (j.contains("version")) {
                c.version = int_field("version", c.version);
            } else if (auto v = actor::next_version(c.version)) {
                c.version = *v;
            } else {
                return "control: config: the config version is at its maximum";
            }
            if (j.contains("cycle")) c.cycle = seconds_of(j["cycle"], "cycle");
            if (j.contains("gap")) c.gap = seconds_of(j["gap"], "gap");
            c.nodes = int_field("nodes", c.nodes);
            c.splits = int_field("splits", c.splits);
            c.n_hosts = int_field("n_hosts", c.n_hosts);
            if (j.contains("force_in")) c.force_in = j["force_in"].get<bool>();
            std::optional<std::string> refused;
            rt.with_node([&](actor::Node& n, actor::Time now) { refused = n.set_config(c, now); });
            if (refused) return "control: config: " + *refused;
        } else if (cmd == "leave") {
            rt.leave({actor::cli::Ending::Kind::done, 0, "leave"});
        } else {
            return "control: unknown cmd \"" + cmd + "\"";
        }
    } catch (const std::exception& e) {
        return "control: " + cmd + ": " + e.what();
    }
    return std::nullopt;
}

// Reads --control lines from stdin. EOF only stops reading: a script that
// closes our stdin has not asked the node to leave.
class ControlReader {
public:
    explicit ControlReader(actor::Runtime& rt)
        : rt_(rt), in_(rt.io(), ::dup(STDIN_FILENO)) {}
    void start() { read(); }

private:
    void read() {
        in_.async_read_some(boost::asio::buffer(buf_),
                            [this](const boost::system::error_code& ec, std::size_t n) {
                                if (ec || rt_.finished()) return;
                                feed(std::string_view(buf_.data(), n));
                                if (!rt_.finished()) read();
                            });
    }
    void feed(std::string_view chunk) {
        for (char c : chunk) {
            if (c != '\n') {
                if (line_.size() < max_control_line) line_ += c;
                else too_long_ = true;
                continue;
            }
            if (too_long_) report("control: line longer than " + std::to_string(max_control_line) + " bytes");
            else if (line_.find_first_not_of(" \t\r") != std::string::npos) {
                if (auto bad = run_command(rt_, line_)) report(*bad);
            }
            line_.clear();
            too_long_ = false;
            if (rt_.finished()) return;
        }
    }
    void report(const std::string& why) { rt_.emit(actor::Event::error(why)); }

    actor::Runtime& rt_;
    boost::asio::posix::stream_descriptor in_;
    std::array<char, 4096> buf_{};
    std::string line_;
    bool too_long_ = false;
};

}  // namespace

int main(int argc, char** argv) {
    actor::cli::CommonOptions common;
    common.tool = "actor-join";
    common.persistent = true;
    JoinOptions opt;
    CLI::App app{"Join a group and take part in its rotation; print events as JSON lines."};
    app.name(common.tool);
    actor::cli::add_common_options(app, common);
    app.add_flag("--passive", opt.passive, "join disabled: listen and report, never ping");
    app.add_flag("--raw", opt.raw, "also print every message as a raw event");
    app.add_option("--count", opt.count, "exit 0 after this node's N-th untag");
    app.add_flag("--control", opt.control, "read JSON command lines on stdin");
    if (auto status = actor::cli::parse(app, common, argc, argv)) return *status;
    if (opt.count < 0) return actor::cli::usage_error(common, "--count: must not be negative");

    auto ropts = actor::runtime_options(common);
    ropts.raw = opt.raw;
    auto nopts =
        actor::cli::node_options(common, opt.passive ? actor::Mode::passive : actor::Mode::active);
    // A daemon rides out a slow channel: without --timeout it keeps asking
    // for its init's echo instead of exiting 69.
    nopts.retry_echo = !common.timeout;
    actor::Runtime rt(std::move(ropts), std::move(nopts));
    long untags = 0;
    rt.after_event = [&](const actor::Event& e) {
        if (e.type == actor::EventType::untag && opt.count > 0 && ++untags >= opt.count)
            rt.finish({actor::cli::Ending::Kind::done, 0, "--count reached"});
    };
    std::optional<ControlReader> control;
    if (opt.control) {
        control.emplace(rt);
        control->start();
    }

    const auto ending = rt.run();
    return actor::cli::exit_status_for(ending);
}
