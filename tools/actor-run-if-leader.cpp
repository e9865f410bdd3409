// actor-run-if-leader GROUP [--] COMMAND [ARG...]: gate a job on the turn
// (docs/CLI.md). Parse, connect, drive, exit: every phase, window and decision
// is the sans-IO actor::Gate's (actor/gate.hpp); actor/gate_shell.hpp drives it
// over the runtime and the job, and returns the exit status it names.
#include "actor/cli.hpp"
#include "actor/gate_shell.hpp"

#include <CLI/CLI.hpp>
#include <fcntl.h>

#include <string>
#include <vector>

int main(int argc, char** argv) {
    actor::cli::CommonOptions common;
    common.tool = "actor-run-if-leader";
    actor::GateOptions g;
    bool wait = false, observe = false;
    std::string linger, kill_after = "10s", events_file, shell_command;
    int events_fd = -1;
    CLI::App app{"Run COMMAND only on the node that holds the group's turn."};
    app.name(common.tool);
    actor::cli::add_common_options(app, common);
    app.add_flag("--wait", wait, "join at once and run COMMAND when the rotation reaches this node");
    app.add_flag("--observe", observe,
                 "never join: run if the next settled turn of the actor-join daemons belongs to --name");
    app.add_option("--linger", linger, "stay in the group this long after COMMAND (default cycle+2*gap)");
    app.add_flag("--kill-on-detag", g.kill_on_detag, "stop COMMAND when the turn is lost (exit 70)");
    app.add_flag("--kill-on-untag", g.kill_on_untag, "stop COMMAND when the turn ends or is lost (exit 70)");
    app.add_option("--kill-after", kill_after, "SIGKILL this long after SIGTERM")->capture_default_str();
    app.add_option("-E,--conflict-exit-code", g.conflict_status, "exit status when not our turn (default 75)");
    app.add_option("--events", events_file, "append the JSON event lines to FILE");
    app.add_option("--events-fd", events_fd, "write the JSON event lines to file descriptor N");
    app.add_option("-c", shell_command, "run STRING with /bin/sh -c (further arguments become $1...)");
    app.add_flag("--fail-open", g.fail_open,
                 "run COMMAND anyway when the broker is unreachable (default: exit 69, fail closed)");
    // Everything after GROUP that is not one of our options is COMMAND.
    app.prefix_command();
    if (auto status = actor::cli::parse(app, common, argc, argv)) return *status;
    std::vector<std::string> command = app.remaining();
    if (!command.empty() && command.front() == "--") command.erase(command.begin());

    const auto usage = [&](const char* option, std::string m) {
        return actor::cli::usage_error(common, actor::Error{std::move(m), option});
    };
    if (wait && observe) return usage("--wait", "cannot be combined with --observe");
    if (g.conflict_status < 0 || g.conflict_status > 255) return usage("--conflict-exit-code", "must be 0..255");
    const bool shell = app.count("-c") > 0;
    if (!shell && command.empty()) return usage("COMMAND", "missing (give COMMAND [ARG...] or -c STRING)");
    auto ka = actor::cli::parse_duration(kill_after);
    if (!ka) return usage("--kill-after", ka.error().text());
    g.kill_after = *ka;
    if (!linger.empty()) {
        auto l = actor::cli::parse_duration(linger);
        if (!l) return usage("--linger", l.error().text());
        g.linger = *l;
    }
    g.mode = wait ? actor::GateMode::wait : observe ? actor::GateMode::observe : actor::GateMode::once;
    g.name = common.name;
    g.config = common.config;
    g.timeout = common.timeout;

    // Where the events go: --events FILE (appended), --events-fd N, or nowhere.
    if (!events_file.empty() && events_fd >= 0) return usage("--events", "cannot be combined with --events-fd");
    if (events_fd >= 0 && ::fcntl(events_fd, F_GETFD) < 0)
        return usage("--events-fd", std::to_string(events_fd) + " is not open");
    if (events_fd < 0) {
        const char* path = events_file.empty() ? "/dev/null" : events_file.c_str();
        events_fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (events_fd < 0) return usage("--events", "cannot open " + actor::quoted(events_file));
    }

    actor::GateShellOptions run;
    run.gate = std::move(g);
    run.runtime = actor::runtime_options(common);
    run.runtime.events_fd = events_fd;
    // Watching: an observer sends nothing, and a name no node can have (names
    // are never empty) lets it see our own daemon (--observe) or another
    // process of ours that holds the turn (an observer ignores its own name).
    run.observer = actor::cli::node_options(common, actor::Mode::observer);
    run.observer.name.clear();
    run.active = actor::gate_node_options(run.gate.mode, actor::cli::node_options(common, actor::Mode::active));
    run.value = common.value;
    if (shell) run.job.argv = {"/bin/sh", "-c", shell_command, "sh"};
    run.job.argv.insert(run.job.argv.end(), command.begin(), command.end());
    run.job.env = {{"ACTOR_GROUP", common.group},
                   {"ACTOR_NAME", common.name},
                   {"ACTOR_BROKER", common.broker.display()}};
    run.status_of = [](const actor::Ending& e) {
        return actor::cli::exit_status_for(e, {.signal_is_success = false});
    };
    return actor::run_gate(std::move(run));
}
