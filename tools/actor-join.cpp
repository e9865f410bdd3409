// actor-join GROUP: take part in the rotation and print events (docs/CLI.md).
// Parse, connect, run, map the ending to an exit status.
#include "actor/cli.hpp"

#include <CLI/CLI.hpp>
#include "actor/control.hpp"
#include "actor/runtime.hpp"

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <string>

namespace {

struct JoinOptions {
    bool passive = false;
    bool raw = false;
    bool control = false;
    long count = 0;
};

// Reads --control lines from stdin (parsed and applied by actor/control.hpp).
// EOF only stops reading: a script that closes our stdin has not asked the
// node to leave.
class ControlReader {
public:
    explicit ControlReader(actor::Runtime& rt) : rt_(rt), in_(rt.io(), ::dup(STDIN_FILENO)) {}
    void start() { read(); }

private:
    void read() {
        in_.async_read_some(boost::asio::buffer(buf_),
                            [this](const boost::system::error_code& ec, std::size_t n) {
                                if (ec || rt_.finished()) return;
                                lines_.feed(std::string_view(buf_.data(), n),
                                            [this](const actor::Result<std::string_view>& line) {
                                                if (!line) report(line.error().text());
                                                else run(*line);
                                                return !rt_.finished();
                                            });
                                if (!rt_.finished()) read();
                            });
    }
    void run(std::string_view line) {
        auto cmd = actor::parse_control(line);
        if (!cmd) return report(cmd.error().text());
        actor::Result<actor::ControlOutcome> done = actor::ControlOutcome::applied;
        rt_.with_node([&](actor::Node& n, actor::Time now) {
            done = actor::apply_control(n, *cmd, now, [this](const actor::Value& v) { return rt_.value_fits(v); });
        });
        if (!done) report(done.error().text());
        else if (*done == actor::ControlOutcome::leave)
            rt_.leave({actor::cli::Ending::Kind::done, 0, "leave"});
    }
    void report(const std::string& why) { rt_.emit(actor::Event::error("control: " + why)); }

    actor::Runtime& rt_;
    boost::asio::posix::stream_descriptor in_;
    std::array<char, 4096> buf_{};
    actor::ControlLines lines_;
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
    if (opt.count < 0) return actor::cli::usage_error(common, actor::Error{"must not be negative", "--count"});

    auto ropts = actor::runtime_options(common);
    ropts.raw = opt.raw;
    ropts.service_notify = true;  // READY/STATUS/WATCHDOG under systemd (Type=notify)
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
