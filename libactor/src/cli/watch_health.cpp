// actor-watch --check and --format prometheus (actor/watch.hpp): the shell
// around actor::health, which decides.
#include "actor/watch.hpp"

#include <CLI/CLI.hpp>

#include "actor/exit_status.hpp"
#include "actor/members.hpp"
#include "actor/runtime.hpp"
#include "actor/timing.hpp"

#include <charconv>
#include <chrono>
#include <iostream>

namespace actor::cli {

void add_health_options(CLI::App& app, HealthOptions& h) {
    app.add_flag("--check", h.check,
                 "monitoring plugin: watch one window, print one status line, exit 0 OK, 1 WARNING, "
                 "2 CRITICAL, 3 UNKNOWN");
    app.add_option("--warn-members", h.warn_members, "--check: WARNING with fewer members than N");
    app.add_option("--crit-members", h.crit_members, "--check: CRITICAL with fewer members than N");
    app.add_option("--warn-age", h.warn_age, "--check: WARNING when the last turn is older (default cycle+4*gap)");
    app.add_option("--crit-age", h.crit_age, "--check: CRITICAL when the last turn is older");
}

namespace {

Result<std::optional<std::size_t>> count_of(const std::string& text, const char* option) {
    if (text.empty()) return std::optional<std::size_t>{};
    std::size_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || p != end) return Error{"bad count " + actor::quoted(text), option};
    return std::optional<std::size_t>{v};
}

Result<std::optional<Duration>> age_of(const std::string& text, const char* option) {
    if (text.empty()) return std::optional<Duration>{};
    auto d = parse_duration(text);
    if (!d) return Error{d.error().text(), option};
    return std::optional<Duration>{*d};
}

}  // namespace

Result<health::Thresholds> health_thresholds(const HealthOptions& h, const Config& c) {
    health::Thresholds t;
    auto wm = count_of(h.warn_members, "--warn-members");
    if (!wm) return wm.error();
    auto cm = count_of(h.crit_members, "--crit-members");
    if (!cm) return cm.error();
    auto wa = age_of(h.warn_age, "--warn-age");
    if (!wa) return wa.error();
    auto ca = age_of(h.crit_age, "--crit-age");
    if (!ca) return ca.error();
    if (*wm && *cm && **wm < **cm)
        return Error{"must not be below --crit-members (fewer than either alerts)", "--warn-members"};
    if (*wa && *ca && **wa > **ca) return Error{"must not exceed --crit-age", "--warn-age"};
    t.warn_members = *wm;
    t.crit_members = *cm;
    t.warn_age = *wa;
    t.crit_age = *ca;
    // A turn is overdue after timing::overdue_turn; a lower --crit-age
    // given alone moves the warning down with it.
    if (!t.warn_age) t.warn_age = timing::overdue_turn(c);
    if (t.crit_age && *t.warn_age > *t.crit_age) t.warn_age = t.crit_age;
    return t;
}

std::optional<int> run_health(CommonOptions& common, const HealthOptions& h, const WatchModes& m) {
    const bool prom = common.format == Format::prometheus;
    if (!h.check && !prom) return std::nullopt;
    const char* what = h.check ? "--check" : "--format prometheus";
    if (h.check && prom) return usage_error(common, Error{"prints its own line, not metrics", "--check"});
    if (prom && !m.once) return usage_error(common, Error{"needs --once (one watch window, then the metrics)", "--format prometheus"});
    if (m.raw || m.members)
        return usage_error(common, Error{"prints one answer: not with --raw or --members", what});
    auto t = health_thresholds(h, common.config);
    if (!t) return usage_error(common, t.error());

    // One watch window: --timeout, else as long as --once waits.
    if (!common.timeout) common.timeout = timing::watch_once_timeout(common.config);
    Runtime rt(runtime_options(common), node_options(common, Mode::observer));
    Members members = m.ttl ? Members(*m.ttl) : Members(common.config);
    health::Tally tally(rt.now());
    bool reached = false;
    std::string last_error;
    rt.on_connected = [&] { reached = true; };
    rt.on_decoded = [&](const Message& msg, Time now) {
        members.heard(msg, now, std::chrono::system_clock::now());
        tally.message(msg);
    };
    rt.on_event = [&](const Event& e) {
        if (e.type == EventType::ping) tally.turn(e.node, rt.now());
        if (e.type == EventType::error) last_error = e.message;
        return false;  // one answer at the end, no event lines
    };
    rt.on_timeout = [&] { rt.finish({Ending::Kind::done, 0, "watch window"}); };
    const Ending ending = rt.run();
    using K = Ending::Kind;
    if (ending.kind == K::signal) reached = false, last_error = "interrupted by signal " + std::to_string(ending.signal);
    else if (ending.kind != K::done) reached = false;
    if (!reached && last_error.empty()) last_error = ending.reason;
    const std::size_t listed = members.snapshot(rt.node().chain(), rt.now()).members.size();
    const auto seen = tally.finish(rt.now(), listed, reached, last_error);

    if (prom) {
        std::cout << health::prometheus_text(seen, common.group) << std::flush;
        return seen.reached ? exit_status::ok : exit_status::unavailable;
    }
    const auto verdict = health::classify(seen, *t, common.group);
    std::cout << verdict.line << std::endl;
    return static_cast<int>(verdict.status);
}

}  // namespace actor::cli
