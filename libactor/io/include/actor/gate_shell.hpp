#pragma once
// The Asio shell of an actor::Gate (actor/gate.hpp), for actor-run-if-leader:
// one Runtime (its node an observer while watching, replaced by the active
// node on `join`), one Job, one steady_timer re-armed from the gate's
// next_deadline() after every input, and a signal_set of its own for
// SIGINT, SIGTERM, SIGHUP and SIGQUIT (the runtime's handler does nothing),
// which also works after the runtime's run has ended.
//
//   runtime connected / event / decoded message -> gate inputs
//   job started / failed / exited, signals, timer -> gate inputs
//   gate actions -> replace_node, with_node(set_value), Job::start/signal,
//                   Runtime::leave, warn, stop the io_context (exit)
#include "actor/child.hpp"
#include "actor/ending.hpp"
#include "actor/gate.hpp"
#include "actor/node.hpp"
#include "actor/runtime.hpp"
#include "actor/value.hpp"

#include <functional>

namespace actor {

struct GateShellOptions {
    GateOptions gate;
    RuntimeOptions runtime;    // its timeout is not used: the gate's windows bound the phases
    NodeOptions observer;      // the node while watching (sends nothing)
    NodeOptions active;        // the node after `join` (value null until tagged)
    Value value;               // the value to ping with once tagged
    JobSpec job;
    // The exit status a run ending stands for when the gate has none of
    // its own (unreachable, denied, twin, ...).
    std::function<int(const Ending&)> status_of;
};

// Connects, drives the gate to its `exit`, and returns that status.
int run_gate(GateShellOptions opts);

}  // namespace actor
