// Rule-by-rule tests of the sans-IO run-if-leader gate (actor/gate.hpp):
// no simulator, no sockets, no clock; hand-made inputs at virtual times, and
// the exact actions (take_actions()) and next_deadline() after each one.
// Every window comes from actor/timing.hpp (or lingering_turn_bound()).
#include "actor/gate.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <string>
#include <vector>

using namespace actor;
using namespace std::chrono_literals;
using Acts = std::vector<std::string>;
using T = EventType;

namespace {

Config cfg() {
    Config c;
    c.cycle = 8;
    c.gap = 0.5;
    return c;
}

// Durations of cfg(), named as the gate uses them.
const Duration W = timing::gate_watch_window(cfg());
const Duration D = timing::decision_timeout(cfg());
const Duration L = timing::linger_default(cfg());
const Duration B = lingering_turn_bound(cfg());
const Duration K = GateOptions{}.kill_after;  // the --kill-after default
const Duration G = from_seconds(cfg().gap);

const Time t0 = from_seconds(1000);  // the process starts and connects

GateOptions opts(GateMode mode = GateMode::once) {
    GateOptions o;
    o.name = "me";
    o.config = cfg();
    o.mode = mode;
    return o;
}

// An action as text: its kind, and for exit / signal_job the number.
std::string show(const GateAction& a) {
    std::string s = to_string(a.kind);
    if (a.kind == GateAction::Kind::exit) s += " " + std::to_string(a.status);
    if (a.kind == GateAction::Kind::signal_job) s += " " + std::to_string(a.signo);
    return s;
}

Acts take(Gate& g) {
    Acts out;
    for (const auto& a : g.take_actions()) out.push_back(show(a));
    return out;
}

std::optional<Time> none() { return std::nullopt; }

Message init_from(const std::string& node) { return Message::make_init(node, 7); }
Message ping_from(const std::string& node) { return Message::make_ping(node, Value(0), {node}, 7); }

ChannelEnd ended(int status = 0, bool unreachable = false) { return {status, unreachable, "test"}; }

// A once-mode gate that watched a silent group from t0 and joined at t0 + W.
Gate joined_gate(GateOptions o = opts()) {
    Gate g(std::move(o));
    g.start(t0);
    g.on_channel_up(t0);
    g.on_timer(t0 + W);
    EXPECT_EQ(take(g), Acts{"join"});
    return g;
}
const Time tj = t0 + W;  // when joined_gate() joined

// ... and was tagged (the job started) at `tagged`.
const Time tt = tj + 3s;
Gate running_gate(GateOptions o = opts()) {
    Gate g = joined_gate(std::move(o));
    g.on_event(T::tag, "me", tt);
    EXPECT_EQ(take(g), (Acts{"set_value", "run_job"}));
    g.on_job_started(tt);
    EXPECT_EQ(g.phase(), GatePhase::running);
    return g;
}

// ... whose job exited with `status` at te, lingering since.
const Time te = tt + 20s;
Gate lingering_gate(int status = 0, GateOptions o = opts()) {
    Gate g = running_gate(std::move(o));
    g.on_job_exited(status, te);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    return g;
}

// The channel run ends after a `leave`; the gate exits with `status`.
void expect_exit_after_end(Gate& g, int status, Time now) {
    EXPECT_EQ(g.exit_status(), std::nullopt);
    g.on_channel_end(ended(), now);
    EXPECT_EQ(take(g), Acts{"exit " + std::to_string(status)});
    EXPECT_EQ(g.exit_status(), status);
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
}

}  // namespace

TEST(GateTiming, WindowsAreDistinctForTheTestConfig) {
    // The tests tell the windows apart by their deadlines.
    const std::set<Duration> all{W, D, L, B, K, G};
    EXPECT_EQ(all.size(), 6u);
    EXPECT_EQ(B, timing::off_chain_turn_bound(cfg()) + timing::report_window(cfg()));
}

TEST(GateActions, EveryKindHasItsOwnName) {
    using Kd = GateAction::Kind;
    std::set<std::string> names;
    for (Kd k : {Kd::join, Kd::set_value, Kd::run_job, Kd::signal_job, Kd::terminate_job, Kd::kill_job, Kd::leave,
                 Kd::warn, Kd::exit})
        names.insert(to_string(k));
    EXPECT_EQ(names.size(), 9u);
    EXPECT_STREQ(to_string(Kd::run_job), "run_job");
}

// ---- once: watching ----

TEST(GateOnce, NothingHappensBeforeTheFirstConnection) {
    Gate g(opts());
    g.start(t0);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), none());
    EXPECT_EQ(g.phase(), GatePhase::watching);
    g.on_timer(t0 + 10 * W);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_FALSE(g.joined());
}

TEST(GateOnce, SilentGroupJoinsAfterTheWatchWindow) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), t0 + W);
    g.on_timer(t0 + W - 1ns);  // early: harmless
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::watching);
    g.on_timer(t0 + W);
    EXPECT_EQ(take(g), Acts{"join"});
    EXPECT_EQ(g.phase(), GatePhase::joined);
    EXPECT_TRUE(g.joined());
    EXPECT_FALSE(g.job_started());
    // The decision timeout counts from joining.
    EXPECT_EQ(g.next_deadline(), t0 + W + D);
}

TEST(GateOnce, FirstMessageHeardRearmsTheWatchOnce) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    const Time m1 = t0 + 2s;
    g.on_message(init_from("b"), m1);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), m1 + W);
    // Later messages do not push it further.
    g.on_message(ping_from("b"), m1 + 3s);
    g.on_message(init_from("c"), m1 + W - 1s);
    EXPECT_EQ(g.next_deadline(), m1 + W);
    g.on_timer(t0 + W);  // the first window's end: no longer a deadline
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::watching);
    g.on_timer(m1 + W);  // then join anyway
    EXPECT_EQ(take(g), Acts{"join"});
    EXPECT_EQ(g.next_deadline(), m1 + W + D);
}

TEST(GateOnce, AnotherNodesSettledTurnWhileWatchingIsNotMyTurn) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::ping, "b", t0 + 4s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_FALSE(g.joined());
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 75, t0 + 4s);
}

TEST(GateOnce, ASettledTurnUnderOurOwnNameWhileWatchingIsNotMyTurn) {
    // Another process of ours holds the turn.
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::ping, "me", t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 75, t0 + 1s);
}

TEST(GateOnce, ConflictExitCodeReplaces75) {
    auto o = opts();
    o.conflict_status = 0;  // -E 0
    Gate g(o);
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::ping, "b", t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 0, t0 + 1s);

    auto o2 = opts();
    o2.conflict_status = 3;
    Gate j = joined_gate(o2);
    j.on_event(T::ping, "b", tj + 1s);
    EXPECT_EQ(take(j), Acts{"leave"});
    expect_exit_after_end(j, 3, tj + 1s);
}

TEST(GateOnce, OnlyPingEventsDecideWhileWatching) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    for (T type : {T::tag, T::untag, T::detag, T::good, T::recover, T::setup, T::connected, T::disconnected})
        g.on_event(type, "b", t0 + 1s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::watching);
    EXPECT_EQ(g.next_deadline(), t0 + W);
}

TEST(GateOnce, EventStructOverloadReadsTypeAndNode) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    Event e;
    e.type = T::ping;
    e.node = "b";
    g.on_event(e, t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 75, t0 + 1s);
}

// ---- once: joined ----

TEST(GateOnce, OurTagSetsTheValueAndRunsTheJob) {
    Gate g = joined_gate();
    g.on_event(T::tag, "me", tj + 2s);
    EXPECT_EQ(take(g), (Acts{"set_value", "run_job"}));
    EXPECT_EQ(g.phase(), GatePhase::running);
    EXPECT_TRUE(g.job_started());
    EXPECT_TRUE(g.job_running());
    EXPECT_EQ(g.next_deadline(), none());  // the decision timeout is gone
    g.on_timer(tj + D);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::running);
}

TEST(GateOnce, AnotherNodesPingAfterJoiningIsNotMyTurn) {
    Gate g = joined_gate();
    g.on_event(T::ping, "me", tj + 1s);  // our own ping report decides nothing
    g.on_event(T::untag, "me", tj + 1s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::joined);
    g.on_event(T::ping, "b", tj + 2s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_FALSE(g.job_started());
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 75, tj + 3s);
}

TEST(GateOnce, NoDecisionByTheTimeoutExits124) {
    Gate g = joined_gate();
    g.on_timer(tj + D - 1ns);
    EXPECT_EQ(take(g), Acts{});
    g.on_timer(tj + D);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
    // A tag arriving while the run ends changes nothing.
    g.on_event(T::tag, "me", tj + D + 1ms);
    EXPECT_EQ(take(g), Acts{});
    expect_exit_after_end(g, 124, tj + D + 1s);
}

TEST(GateOnce, UserTimeoutCountsFromJoining) {
    auto o = opts();
    o.timeout = 5s;
    Gate g(o);
    g.start(t0);
    g.on_channel_up(t0);
    EXPECT_EQ(g.next_deadline(), t0 + W);  // not the timeout: it bounds the decision
    g.on_timer(t0 + W);
    EXPECT_EQ(take(g), Acts{"join"});
    EXPECT_EQ(g.next_deadline(), t0 + W + 5s);
    g.on_timer(t0 + W + 5s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 124, t0 + W + 6s);
}

TEST(GateOnce, MessagesAfterJoiningDoNotMoveTheDeadline) {
    Gate g = joined_gate();
    g.on_message(init_from("b"), tj + 1s);
    g.on_message(ping_from("b"), tj + 2s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), tj + D);
}

// ---- the job and lingering ----

TEST(GateLinger, JobExitLingersThenLeavesAtTheNextSettledTurn) {
    Gate g = running_gate();
    g.on_job_exited(3, te);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    EXPECT_FALSE(g.job_running());
    EXPECT_EQ(g.next_deadline(), te + L);
    // Within --linger no turn ends it.
    g.on_event(T::ping, "b", te + L - 1ms);
    g.on_event(T::tag, "me", te + L - 1ms);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    // --linger over: stay until the next settled turn, at most B more.
    g.on_timer(te + L);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    EXPECT_EQ(g.next_deadline(), te + L + B);
    g.on_event(T::untag, "me", te + L + 1s);  // not a settled turn
    g.on_event(T::detag, "b", te + L + 1s);
    EXPECT_EQ(take(g), Acts{});
    g.on_event(T::ping, "b", te + L + 2s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 3, te + L + 3s);
}

TEST(GateLinger, OurTagAfterTheLingerEndsIt) {
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    g.on_event(T::tag, "b", te + L + 1s);  // somebody else's tag is not ours
    EXPECT_EQ(take(g), Acts{});
    g.on_event(T::tag, "me", te + L + 2s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 0, te + L + 2s);
}

TEST(GateLinger, APingReportUnderOurOwnNameIsASettledTurnToo) {
    // docs/CLI.md: "until the next settled turn". gate.hpp lists "our `tag`,
    // another node's `ping`"; a `ping` event naming us (our ping settled for
    // the group though we did not take the turn) is one the others heard too.
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    g.on_event(T::ping, "me", te + L + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
}

TEST(GateLinger, NoTurnWithinTheBoundLeavesAnyway) {
    Gate g = lingering_gate(9);
    g.on_timer(te + L);
    g.on_timer(te + L + B - 1ns);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    g.on_timer(te + L + B);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 9, te + L + B);
}

TEST(GateLinger, ALateTimerEndsTheLingerAndTheBoundCountsFromThatCall) {
    // The shell's timer fired late: --linger ends now, and the wait for the
    // next settled turn (at most B) starts now, it is not already over.
    Gate g = lingering_gate(0);
    const Time late = te + L + B;
    g.on_timer(late);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), late + B);
}

TEST(GateLinger, LingerOptionSetsTheFirstWindow) {
    auto o = opts();
    o.linger = 2s;
    Gate g = lingering_gate(0, o);
    EXPECT_EQ(g.next_deadline(), te + 2s);
    g.on_timer(te + 2s);
    EXPECT_EQ(g.next_deadline(), te + 2s + B);
}

TEST(GateLinger, ZeroLingerLeavesWhenTheJobEnds) {
    auto o = opts();
    o.linger = 0s;
    Gate g = running_gate(o);
    g.on_job_exited(4, te);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 4, te);
}

TEST(GateLinger, AJoinerHeardAfterTheLingerWaitsForATurnItHears) {
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    const Time j = te + L + 1s;
    g.on_message(init_from("b"), j);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), j + B);  // one turn more after a joiner
    // A tag within a gap of the joiner's init, a ping report within 3 gaps,
    // may not have been heard by it.
    g.on_event(T::tag, "me", j + G);
    g.on_event(T::ping, "c", j + 3 * G);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::lingering);
    g.on_event(T::ping, "c", j + 3 * G + 1ns);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 0, j + 4 * G);
}

TEST(GateLinger, AJoinerHeardThenOurTagAfterAGapEndsIt) {
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    const Time j = te + L + 1s;
    g.on_message(init_from("b"), j);
    g.on_event(T::tag, "me", j + G + 1ns);
    EXPECT_EQ(take(g), Acts{"leave"});
}

TEST(GateLinger, AJoinerHeardDuringTheLingerKeepsTheBoundButFiltersTurns) {
    Gate g = lingering_gate(0);
    const Time j = te + L - 1s;
    g.on_message(init_from("b"), j);
    EXPECT_EQ(g.next_deadline(), te + L);  // --linger itself is not extended
    g.on_timer(te + L);
    EXPECT_EQ(g.next_deadline(), te + L + B);
    g.on_event(T::ping, "c", j + 3 * G);  // still within 3 gaps of the init
    EXPECT_EQ(take(g), Acts{});
    g.on_event(T::ping, "c", te + L + 3 * G);
    EXPECT_EQ(take(g), Acts{"leave"});
}

TEST(GateLinger, OnlyAnotherNodesInitCountsAsAJoiner) {
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    const Time j = te + L + 1s;
    g.on_message(init_from("me"), j);  // ours (our own rejoin)
    g.on_message(ping_from("b"), j);   // not an init
    EXPECT_EQ(g.next_deadline(), te + L + B);
    g.on_event(T::ping, "b", j + 1ns);  // no joiner window applies
    EXPECT_EQ(take(g), Acts{"leave"});
}

TEST(GateLinger, AnInitThatComesEarlierNeverShortensTheBound) {
    Gate g = lingering_gate(0);
    g.on_timer(te + L);
    g.on_message(init_from("b"), te + L);  // now + B == the deadline already
    EXPECT_EQ(g.next_deadline(), te + L + B);
}

TEST(GateLinger, TheChannelEndingWhileLingeringExitsWithTheJobsStatus) {
    Gate g = lingering_gate(6);
    g.on_channel_end(ended(69, true), te + 1s);
    EXPECT_EQ(take(g), Acts{"exit 6"});
    EXPECT_EQ(g.next_deadline(), none());
    EXPECT_TRUE(g.channel_ended());
}

TEST(GateJob, AJobThatCannotStartLeavesWithItsStatus) {
    Gate g = joined_gate();
    g.on_event(T::tag, "me", tt);
    EXPECT_EQ(take(g), (Acts{"set_value", "run_job"}));
    g.on_job_start_failed(127, tt);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_FALSE(g.job_running());
    EXPECT_EQ(g.phase(), GatePhase::done);  // no linger: nothing ran
    expect_exit_after_end(g, 127, tt);
}

TEST(GateJob, AJobThatCannotStartAfterTheRunEndedExitsAtOnce) {
    auto o = opts();
    o.fail_open = true;
    Gate g(o);
    g.start(t0);
    g.on_channel_end(ended(69, true), t0 + 10s);
    EXPECT_EQ(take(g), (Acts{"warn", "run_job"}));
    g.on_job_start_failed(126, t0 + 10s);
    EXPECT_EQ(take(g), Acts{"exit 126"});
    EXPECT_EQ(g.exit_status(), 126);
}

TEST(GateJob, TheChannelEndingUnderARunningJobLetsTheJobDecide) {
    Gate g = running_gate();
    g.on_channel_end(ended(69, true), tt + 1s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.exit_status(), std::nullopt);
    EXPECT_TRUE(g.job_running());
    g.on_event(T::untag, "me", tt + 2s);  // the run has ended: ignored
    EXPECT_EQ(take(g), Acts{});
    g.on_job_exited(5, tt + 3s);
    EXPECT_EQ(take(g), Acts{"exit 5"});  // no linger, no leave: the run has ended
    EXPECT_EQ(g.exit_status(), 5);
}

// ---- --kill-on-detag / --kill-on-untag ----

TEST(GateKill, DetagTerminatesThenKillsAfterKillAfterAndExits70) {
    auto o = opts();
    o.kill_on_detag = true;
    Gate g = running_gate(o);
    const Time d = tt + 4s;
    g.on_event(T::detag, "b", d);
    EXPECT_EQ(take(g), (Acts{"warn", "terminate_job"}));
    EXPECT_TRUE(g.turn_lost());
    EXPECT_EQ(g.next_deadline(), d + K);
    g.on_event(T::detag, "c", d + 1s);  // lost once
    EXPECT_EQ(take(g), Acts{});
    g.on_timer(d + K - 1ns);
    EXPECT_EQ(take(g), Acts{});
    g.on_timer(d + K);
    EXPECT_EQ(take(g), Acts{"kill_job"});
    EXPECT_EQ(g.next_deadline(), none());
    g.on_job_exited(128 + SIGKILL, d + K + 1ms);
    EXPECT_EQ(take(g), Acts{"leave"});  // no linger after a lost turn
    EXPECT_EQ(g.phase(), GatePhase::done);
    expect_exit_after_end(g, 70, d + K + 1s);
}

TEST(GateKill, TheWarningNamesTheEventAndTheNode) {
    auto o = opts();
    o.kill_on_detag = true;
    Gate g = running_gate(o);
    g.on_event(T::detag, "b", tt + 1s);
    const auto acts = g.take_actions();
    ASSERT_EQ(acts.size(), 2u);
    EXPECT_EQ(acts[0].kind, GateAction::Kind::warn);
    EXPECT_NE(acts[0].text.find("detag b"), std::string::npos) << acts[0].text;
}

TEST(GateKill, AJobEndingOnTERMIsNotKilledAndStillExits70) {
    auto o = opts();
    o.kill_on_detag = true;
    o.kill_after = 2s;
    Gate g = running_gate(o);
    g.on_event(T::detag, "b", tt + 1s);
    EXPECT_EQ(take(g), (Acts{"warn", "terminate_job"}));
    EXPECT_EQ(g.next_deadline(), tt + 1s + 2s);
    g.on_job_exited(0, tt + 2s);  // its own status does not count
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.next_deadline(), none());
    g.on_timer(tt + 3s);
    EXPECT_EQ(take(g), Acts{});  // no kill_job for a finished job
    expect_exit_after_end(g, 70, tt + 3s);
}

TEST(GateKill, KillOnDetagIgnoresTheUntag) {
    auto o = opts();
    o.kill_on_detag = true;
    Gate g = running_gate(o);
    g.on_event(T::untag, "me", tt + 1s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_FALSE(g.turn_lost());
    EXPECT_TRUE(g.job_running());
    g.on_job_exited(0, te);
    EXPECT_EQ(g.phase(), GatePhase::lingering);
}

TEST(GateKill, KillOnUntagStopsOnTheUntagAndOnADetag) {
    for (T type : {T::untag, T::detag}) {
        auto o = opts();
        o.kill_on_untag = true;
        Gate g = running_gate(o);
        g.on_event(type, type == T::untag ? "me" : "b", tt + 1s);
        EXPECT_EQ(take(g), (Acts{"warn", "terminate_job"})) << to_string(type);
        EXPECT_EQ(g.next_deadline(), tt + 1s + K);
        g.on_job_exited(128 + SIGTERM, tt + 2s);
        EXPECT_EQ(take(g), Acts{"leave"});
        expect_exit_after_end(g, 70, tt + 2s);
    }
}

TEST(GateKill, WithoutAKillOptionALostTurnLeavesTheJobAlone) {
    Gate g = running_gate();
    g.on_event(T::detag, "b", tt + 1s);
    g.on_event(T::untag, "me", tt + 2s);
    g.on_event(T::ping, "b", tt + 3s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_FALSE(g.turn_lost());
    EXPECT_EQ(g.next_deadline(), none());
    g.on_job_exited(2, te);
    EXPECT_EQ(g.phase(), GatePhase::lingering);
}

// ---- signals ----

TEST(GateSignal, BeforeTheJobWhileWatchingLeavesWith128PlusN) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    g.on_signal(SIGTERM, t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 128 + SIGTERM, t0 + 1s);
}

TEST(GateSignal, BeforeTheJobOnceJoinedLeavesWith128PlusN) {
    Gate g = joined_gate();
    g.on_signal(SIGINT, tj + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.next_deadline(), none());
    g.on_event(T::tag, "me", tj + 2s);  // too late: no job
    EXPECT_EQ(take(g), Acts{});
    EXPECT_FALSE(g.job_started());
    expect_exit_after_end(g, 128 + SIGINT, tj + 2s);
}

TEST(GateSignal, BeforeConnectingTheRunEndsAtOnceWith128PlusN) {
    Gate g(opts());
    g.start(t0);
    g.on_signal(SIGHUP, t0);
    EXPECT_EQ(take(g), Acts{"leave"});
    g.on_channel_up(t0 + 1s);  // the run is ending: no windows
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 128 + SIGHUP, t0 + 1s);
}

TEST(GateSignal, DuringTheJobItIsForwardedAndTheJobsStatusBecomesOurs) {
    Gate g = running_gate();
    g.on_signal(SIGTERM, tt + 1s);
    EXPECT_EQ(take(g), Acts{"signal_job " + std::to_string(SIGTERM)});
    EXPECT_EQ(g.phase(), GatePhase::running);
    g.on_signal(SIGQUIT, tt + 2s);
    EXPECT_EQ(take(g), Acts{"signal_job " + std::to_string(SIGQUIT)});
    g.on_job_exited(0, tt + 3s);  // the job chose to end well
    EXPECT_EQ(take(g), Acts{"leave"});  // no linger after a stop signal
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 0, tt + 3s);
}

TEST(GateSignal, DuringTheJobAJobKilledByItGives128PlusN) {
    Gate g = running_gate();
    g.on_signal(SIGINT, tt + 1s);
    EXPECT_EQ(take(g), Acts{"signal_job " + std::to_string(SIGINT)});
    g.on_job_exited(128 + SIGINT, tt + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 128 + SIGINT, tt + 1s);
}

TEST(GateSignal, WhileLingeringLeavesAndTheJobsStatusStands) {
    Gate g = lingering_gate(7);
    g.on_signal(SIGTERM, te + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.phase(), GatePhase::done);
    EXPECT_EQ(g.next_deadline(), none());
    g.on_signal(SIGTERM, te + 2s);  // a second one while leaving: nothing more
    EXPECT_EQ(take(g), Acts{});
    expect_exit_after_end(g, 7, te + 2s);
}

TEST(GateSignal, AfterADecisionItChangesNothing) {
    Gate g = joined_gate();
    g.on_event(T::ping, "b", tj + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    g.on_signal(SIGTERM, tj + 2s);
    EXPECT_EQ(take(g), Acts{});
    expect_exit_after_end(g, 75, tj + 2s);
}

TEST(GateSignal, AfterExitNothingFollows) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_end(ended(69, true), t0);
    EXPECT_EQ(take(g), Acts{"exit 69"});
    g.on_signal(SIGTERM, t0 + 1s);
    g.on_channel_up(t0 + 1s);
    g.on_event(T::ping, "b", t0 + 1s);
    g.on_timer(t0 + 100 * W);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.exit_status(), 69);
    EXPECT_EQ(g.next_deadline(), none());
}

// ---- the channel ----

TEST(GateChannel, OnlyTheFirstConnectionStartsTheWatch) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    g.on_channel_down(t0 + 1s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), t0 + W);  // the node rides it out
    g.on_channel_up(t0 + 5s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), t0 + W);
    g.on_timer(t0 + W);
    EXPECT_EQ(take(g), Acts{"join"});
}

TEST(GateChannel, ALossAfterJoiningKeepsTheDecisionTimeout) {
    Gate g = joined_gate();
    g.on_channel_down(tj + 1s);
    g.on_channel_up(tj + 4s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), tj + D);
    EXPECT_EQ(g.phase(), GatePhase::joined);
}

TEST(GateChannel, UnreachableWithoutFailOpenExitsWithTheChannelsStatus) {
    Gate watching(opts());
    watching.start(t0);
    watching.on_channel_end(ended(69, true), t0 + 10s);
    EXPECT_EQ(take(watching), Acts{"exit 69"});
    EXPECT_FALSE(watching.job_started());

    Gate joined = joined_gate();
    joined.on_channel_end(ended(69, true), tj + 1s);  // our init never came back
    EXPECT_EQ(take(joined), Acts{"exit 69"});
    EXPECT_EQ(joined.next_deadline(), none());
}

TEST(GateChannel, FailOpenRunsTheJobWhenUnreachableAndTheJobDecides) {
    auto o = opts();
    o.fail_open = true;
    Gate g(o);
    g.start(t0);
    g.on_channel_end(ended(69, true), t0 + 10s);
    EXPECT_EQ(take(g), (Acts{"warn", "run_job"}));
    EXPECT_EQ(g.phase(), GatePhase::running);
    EXPECT_TRUE(g.job_running());
    EXPECT_EQ(g.exit_status(), std::nullopt);
    EXPECT_EQ(g.next_deadline(), none());
    g.on_job_exited(0, t0 + 20s);
    EXPECT_EQ(take(g), Acts{"exit 0"});  // no linger: never joined, run ended
}

TEST(GateChannel, FailOpenAfterJoiningButBeforeTheDecisionRunsTheJob) {
    auto o = opts();
    o.fail_open = true;
    Gate g = joined_gate(o);
    g.on_channel_end(ended(69, true), tj + 2s);
    EXPECT_EQ(take(g), (Acts{"warn", "run_job"}));
    EXPECT_EQ(g.next_deadline(), none());  // no decision timeout any more
    g.on_signal(SIGTERM, tj + 3s);
    EXPECT_EQ(take(g), Acts{"signal_job " + std::to_string(SIGTERM)});
    g.on_job_exited(128 + SIGTERM, tj + 3s);
    EXPECT_EQ(take(g), Acts{"exit " + std::to_string(128 + SIGTERM)});
}

TEST(GateChannel, FailOpenDoesNotRunForAnEndThatIsNotUnreachable) {
    auto o = opts();
    o.fail_open = true;
    Gate g(o);
    g.start(t0);
    g.on_channel_up(t0);
    g.on_channel_end(ended(78, false), t0 + 1s);  // a name twin
    EXPECT_EQ(take(g), Acts{"exit 78"});
    EXPECT_FALSE(g.job_started());
}

TEST(GateChannel, FailOpenDoesNotRunOnceDecided) {
    auto o = opts();
    o.fail_open = true;
    Gate skipped(o);
    skipped.start(t0);
    skipped.on_channel_up(t0);
    skipped.on_event(T::ping, "b", t0 + 1s);
    EXPECT_EQ(take(skipped), Acts{"leave"});
    skipped.on_channel_end(ended(69, true), t0 + 2s);
    EXPECT_EQ(take(skipped), Acts{"exit 75"});

    Gate signalled(o);
    signalled.start(t0);
    signalled.on_signal(SIGINT, t0);
    EXPECT_EQ(take(signalled), Acts{"leave"});
    signalled.on_channel_end(ended(69, true), t0 + 1s);
    EXPECT_EQ(take(signalled), Acts{"exit " + std::to_string(128 + SIGINT)});

    Gate lingering = lingering_gate(0, o);  // the job ran already
    lingering.on_channel_end(ended(69, true), te + 1s);
    EXPECT_EQ(take(lingering), Acts{"exit 0"});
}

TEST(GateChannel, TheRunEndingWhileWatchingExitsWithItsStatus) {
    Gate g(opts());
    g.start(t0);
    g.on_channel_up(t0);
    g.on_channel_end(ended(0, false), t0 + 1s);  // e.g. stdout closed
    EXPECT_EQ(take(g), Acts{"exit 0"});
    EXPECT_EQ(g.next_deadline(), none());
}

// ---- wait ----

TEST(GateWait, JoinsAtStartAndWaitsWithoutABound) {
    Gate g(opts(GateMode::wait));
    g.start(t0);
    EXPECT_EQ(take(g), Acts{"join"});
    EXPECT_TRUE(g.joined());
    EXPECT_EQ(g.phase(), GatePhase::joined);
    EXPECT_EQ(g.next_deadline(), none());
    g.on_channel_up(t0 + 1s);
    EXPECT_EQ(g.next_deadline(), none());  // no default timeout, no watch
    g.on_message(init_from("b"), t0 + 2s);
    g.on_event(T::ping, "b", t0 + 3s);  // another node's turn: keep waiting
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.phase(), GatePhase::joined);
    g.on_event(T::tag, "me", t0 + 100s);
    EXPECT_EQ(take(g), (Acts{"set_value", "run_job"}));
    EXPECT_EQ(g.phase(), GatePhase::running);
}

TEST(GateWait, TimeoutCountsFromTheFirstConnectionAndExits124) {
    auto o = opts(GateMode::wait);
    o.timeout = 30s;
    Gate g(o);
    g.start(t0);
    EXPECT_EQ(take(g), Acts{"join"});
    EXPECT_EQ(g.next_deadline(), none());
    const Time up = t0 + 3s;
    g.on_channel_up(up);
    EXPECT_EQ(g.next_deadline(), up + 30s);
    g.on_channel_down(up + 1s);
    g.on_channel_up(up + 2s);  // a later connection does not re-arm it
    EXPECT_EQ(g.next_deadline(), up + 30s);
    g.on_timer(up + 30s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 124, up + 31s);
}

TEST(GateWait, TheJobsEndLingersAsInOnceMode) {
    Gate g(opts(GateMode::wait));
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::tag, "me", t0 + 5s);
    EXPECT_EQ(take(g), (Acts{"join", "set_value", "run_job"}));
    g.on_job_exited(1, t0 + 6s);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), t0 + 6s + L);
    g.on_timer(t0 + 6s + L);
    EXPECT_EQ(g.next_deadline(), t0 + 6s + L + B);
    g.on_event(T::ping, "b", t0 + 7s + L);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 1, t0 + 8s + L);
}

TEST(GateWait, SignalWhileWaitingLeavesWith128PlusN) {
    Gate g(opts(GateMode::wait));
    g.start(t0);
    g.on_channel_up(t0);
    EXPECT_EQ(take(g), Acts{"join"});
    g.on_signal(SIGTERM, t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    expect_exit_after_end(g, 128 + SIGTERM, t0 + 1s);
}

// ---- observe ----

TEST(GateObserve, NeverJoinsAndTheDecisionTimeoutCountsFromTheConnection) {
    Gate g(opts(GateMode::observe));
    g.start(t0);
    EXPECT_EQ(take(g), Acts{});
    EXPECT_EQ(g.next_deadline(), none());
    const Time up = t0 + 1s;
    g.on_channel_up(up);
    EXPECT_EQ(g.next_deadline(), up + D);
    g.on_message(init_from("b"), up + 1s);  // traffic re-arms nothing
    g.on_message(ping_from("b"), up + 2s);
    EXPECT_EQ(g.next_deadline(), up + D);
    g.on_timer(up + W);  // no watch window here
    EXPECT_EQ(take(g), Acts{});
    EXPECT_FALSE(g.joined());
    g.on_timer(up + D);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_FALSE(g.joined());
    expect_exit_after_end(g, 124, up + D);
}

TEST(GateObserve, UserTimeoutReplacesTheDefault) {
    auto o = opts(GateMode::observe);
    o.timeout = 4s;
    Gate g(o);
    g.start(t0);
    g.on_channel_up(t0);
    EXPECT_EQ(g.next_deadline(), t0 + 4s);
}

TEST(GateObserve, ATurnNamingUsRunsTheJobWithoutJoiningOrLingering) {
    Gate g(opts(GateMode::observe));
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::tag, "me", t0 + 1s);  // not a settled turn for an observer
    EXPECT_EQ(take(g), Acts{});
    g.on_event(T::ping, "me", t0 + 2s);
    EXPECT_EQ(take(g), Acts{"run_job"});  // no join, no set_value
    EXPECT_EQ(g.phase(), GatePhase::running);
    EXPECT_FALSE(g.joined());
    EXPECT_EQ(g.next_deadline(), none());
    g.on_event(T::ping, "b", t0 + 12s);  // without --kill-on-*: nothing
    EXPECT_EQ(take(g), Acts{});
    g.on_job_exited(8, t0 + 20s);
    EXPECT_EQ(take(g), Acts{"leave"});  // no linger with --observe
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 8, t0 + 20s);
}

TEST(GateObserve, ATurnNamingAnotherNodeIsNotMyTurn) {
    auto o = opts(GateMode::observe);
    o.conflict_status = 0;
    Gate g(o);
    g.start(t0);
    g.on_channel_up(t0);
    g.on_event(T::ping, "b", t0 + 2s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_FALSE(g.job_started());
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 0, t0 + 2s);
}

TEST(GateObserve, KillOnOptionStopsTheJobWhenALaterTurnNamesAnotherNode) {
    for (bool untag : {false, true}) {
        auto o = opts(GateMode::observe);
        (untag ? o.kill_on_untag : o.kill_on_detag) = true;
        Gate g(o);
        g.start(t0);
        g.on_channel_up(t0);
        g.on_event(T::ping, "me", t0 + 1s);
        EXPECT_EQ(take(g), Acts{"run_job"});
        g.on_event(T::ping, "me", t0 + 11s);  // our turn again: keep running
        EXPECT_EQ(take(g), Acts{});
        g.on_event(T::ping, "b", t0 + 21s);
        EXPECT_EQ(take(g), (Acts{"warn", "terminate_job"})) << untag;
        EXPECT_EQ(g.next_deadline(), t0 + 21s + K);
        g.on_timer(t0 + 21s + K);
        EXPECT_EQ(take(g), Acts{"kill_job"});
        g.on_job_exited(128 + SIGKILL, t0 + 22s + K);
        EXPECT_EQ(take(g), Acts{"leave"});
        expect_exit_after_end(g, 70, t0 + 22s + K);
    }
}

TEST(GateObserve, SignalBeforeTheTurnLeavesWith128PlusN) {
    Gate g(opts(GateMode::observe));
    g.start(t0);
    g.on_channel_up(t0);
    g.on_signal(SIGQUIT, t0 + 1s);
    EXPECT_EQ(take(g), Acts{"leave"});
    EXPECT_EQ(g.next_deadline(), none());
    expect_exit_after_end(g, 128 + SIGQUIT, t0 + 1s);
}

TEST(GateObserve, UnreachableWithFailOpenRunsTheJob) {
    auto o = opts(GateMode::observe);
    o.fail_open = true;
    Gate g(o);
    g.start(t0);
    g.on_channel_end(ended(69, true), t0 + 10s);
    EXPECT_EQ(take(g), (Acts{"warn", "run_job"}));
    g.on_job_exited(0, t0 + 11s);
    EXPECT_EQ(take(g), Acts{"exit 0"});
}
