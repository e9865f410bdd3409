#pragma once
// Running one job (a command) from an Asio program, the way a careful shell
// would, for actor-run-if-leader:
//
//   tool --fork--> keeper --fork+exec--> job (its own process group)
//
// - The job runs in a process group of its own, so signals and kills reach
//   everything it started (kill(-pgid)), and a terminal's ^C reaches the
//   tool, which forwards it.
// - No orphans: the job gets PR_SET_PDEATHSIG(SIGKILL) for its parent. Its
//   parent is a tiny keeper process (async-signal-safe code only, never
//   exec'd) whose own death signal fires when the tool dies, even by
//   kill -9; the keeper then SIGKILLs the job's whole group. A death signal
//   on the job alone would miss the job's own children (`sh -c 'a; b'`).
// - Exec failure is reported through a close-on-exec pipe, so a missing
//   command is "COMMAND: command not found" (127) and an unexecutable one
//   "COMMAND: Permission denied" (126), as shells say it; the job's own exit
//   status 127 is not mistaken for it.
// - The keeper exits with the job's status, or 128+N when the job was
//   killed by signal N; the tool reaps the keeper from SIGCHLD (a
//   signal_set on the tool's io_context) with waitpid(WNOHANG): no zombie.
#include "actor/result.hpp"
#include "actor/time.hpp"

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace actor {

struct JobSpec {
    // argv[0] is the program: run as given when it contains a '/', else
    // searched in $PATH (as execvp does; "/bin:/usr/bin" without PATH).
    std::vector<std::string> argv;
    // Variables set (or replaced) in the job's environment.
    std::vector<std::pair<std::string, std::string>> env;
};

// Why a job could not start is an actor::Error: its `status` the exit
// status a shell would give (126, 127, or 71 when the system refused to
// fork), its text() in shell wording ("backup: command not found", the
// program as the subject).

// The program argv[0] names, resolved as execvp would; the error says why
// not (command not found / Permission denied).
Result<std::string> find_program(const std::string& name);

class Job {
public:
    // Registers for SIGCHLD at once: construct before anything can exit.
    explicit Job(boost::asio::io_context& io);
    // A job still running is killed (SIGKILL to its group) and reaped.
    ~Job();
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    // Starts the job; on_exit(status) is called once from the io_context
    // when it ends (status = exit code, or 128+N after signal N).
    Status start(const JobSpec& spec, std::function<void(int status)> on_exit);

    bool running() const { return keeper_ > 0; }
    bool started() const { return started_; }
    pid_t pgid() const { return pgid_; }

    // Sends signo to the job's process group (nothing once it has ended).
    void signal(int signo);
    // SIGTERM (and SIGCONT, so a stopped job sees it) to the group now,
    // SIGKILL after kill_after unless the job has ended by then.
    void terminate(Duration kill_after);

private:
    void wait_sigchld();
    void reap();

    boost::asio::signal_set sigchld_;
    boost::asio::steady_timer kill_timer_;
    pid_t keeper_ = -1;
    pid_t pgid_ = -1;
    bool started_ = false;
    std::function<void(int)> on_exit_;
};

}  // namespace actor
