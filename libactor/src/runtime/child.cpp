// The keeper and the job (see child.hpp for the shape and the reasons).
//
// Everything between fork() and exec()/_exit() runs in a copy of a process
// that may have had other threads (Asio's resolver), so it only calls
// async-signal-safe functions and touches memory prepared before the fork.
#include "actor/child.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

extern char** environ;

namespace actor {

namespace {

// One record on the report pipe: the keeper tells the job's pid ('P'); the
// job tells why exec failed ('E', errno); the keeper why fork failed ('F').
struct Report {
    char tag;
    std::int32_t value;
};

// Status the keeper exits with when the tool went away and it killed the job.
constexpr int keeper_killed_status = 128 + SIGKILL;
constexpr int fork_failed_status = 71;  // EX_OSERR

void write_report(int fd, char tag, int value) {
    Report r{tag, static_cast<std::int32_t>(value)};
    // One write below PIPE_BUF: atomic, never interleaved with the other writer.
    while (::write(fd, &r, sizeof r) < 0 && errno == EINTR) {
    }
}

// Marks every descriptor from `from` up close-on-exec (the job inherits only
// stdin, stdout, stderr: not our broker socket, not --events-fd).
void cloexec_from(int from) {
    if (::close_range(static_cast<unsigned>(from), ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    // Kernels before 5.11: walk a sane bound.
    long max = ::sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = from; fd < max; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int status_of(int wstatus) {
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return 128;
}

// Everything the two forked processes need, prepared before fork().
struct Prepared {
    std::string path;
    std::vector<std::string> argv_store, sh_argv_store, env_store;
    std::vector<char*> argv, sh_argv, envp;
};

std::vector<char*> pointers(std::vector<std::string>& v) {
    std::vector<char*> p;
    p.reserve(v.size() + 1);
    for (auto& s : v) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
}

Prepared prepare(const JobSpec& spec, std::string path) {
    Prepared p;
    p.path = std::move(path);
    p.argv_store = spec.argv;
    // A file without a #! line that the kernel refuses (ENOEXEC) is run by
    // /bin/sh, as execvp and shells do.
    p.sh_argv_store.push_back("/bin/sh");
    p.sh_argv_store.push_back(p.path);
    p.sh_argv_store.insert(p.sh_argv_store.end(), spec.argv.begin() + 1, spec.argv.end());
    for (char** e = environ; e && *e; ++e) {
        const std::string_view kv(*e);
        const auto key = kv.substr(0, kv.find('='));
        bool replaced = false;
        for (const auto& [k, v] : spec.env) replaced = replaced || k == key;
        if (!replaced) p.env_store.emplace_back(kv);
    }
    for (const auto& [k, v] : spec.env) p.env_store.push_back(k + "=" + v);
    p.argv = pointers(p.argv_store);
    p.sh_argv = pointers(p.sh_argv_store);
    p.envp = pointers(p.env_store);
    return p;
}

[[noreturn]] void run_job(const Prepared& p, int report_fd, pid_t keeper, const sigset_t& old_mask) {
    ::setpgid(0, 0);
    // If the keeper dies, so does the job (the keeper's own death signal
    // covers the rest of the job's group).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != keeper) ::_exit(keeper_killed_status);
    // We ignore SIGPIPE in the tool; the job must not inherit that. Handled
    // signals are reset by exec itself.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGPIPE, &dfl, nullptr);
    ::sigaction(SIGCHLD, &dfl, nullptr);
    cloexec_from(3);
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    ::execve(p.path.c_str(), p.argv.data(), p.envp.data());
    if (errno == ENOEXEC) ::execve("/bin/sh", p.sh_argv.data(), p.envp.data());
    const int err = errno;
    write_report(report_fd, 'E', err);
    ::_exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

[[noreturn]] void run_keeper(const Prepared& p, int report_fd, pid_t tool, const sigset_t& old_mask) {
    // A group of its own: a terminal's ^C to the tool's group must not
    // reach the keeper (the tool forwards signals to the job itself).
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The tool may have died before prctl() took effect.
    if (::getppid() != tool) ::_exit(keeper_killed_status);
    const pid_t self = ::getpid();
    const pid_t job = ::fork();
    if (job < 0) {
        write_report(report_fd, 'F', errno);
        ::_exit(fork_failed_status);
    }
    if (job == 0) run_job(p, report_fd, self, old_mask);
    // Both sides set the group, so it exists before the tool hears the pid.
    ::setpgid(job, job);
    write_report(report_fd, 'P', job);
    ::close(report_fd);
    ::close_range(3, ~0U, 0);

    // Every signal stays blocked here; wait for them synchronously, with a
    // timeout so a lost wake-up only costs a second.
    sigset_t all;
    ::sigfillset(&all);
    for (;;) {
        siginfo_t info;
        const timespec tick{1, 0};
        const int sig = ::sigtimedwait(&all, &info, &tick);
        int wstatus = 0;
        if (::waitpid(job, &wstatus, WNOHANG) == job) ::_exit(status_of(wstatus));
        if (::getppid() != tool) {
            // The tool is gone (its death signal, or we noticed): no orphans.
            ::kill(-job, SIGKILL);
            ::_exit(keeper_killed_status);
        }
        // Anybody signalling the keeper itself means the job.
        if (sig > 0 && sig != SIGCHLD) ::kill(-job, sig);
    }
}

bool is_executable_file(const std::string& path, int& err) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        err = errno;
        return false;
    }
    if (S_ISDIR(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
        err = EACCES;
        return false;
    }
    return true;
}

Error error_for(const std::string& name, int err) {
    if (err == ENOENT || err == ENOTDIR) return Error{"command not found", name, 127};
    if (err == EACCES || err == EPERM || err == ENOEXEC || err == EISDIR)
        return Error{"Permission denied", name, 126};
    return Error{std::strerror(err), name, 126};
}

Error fork_failed(const char* what, int err) { return Error{std::strerror(err), what, fork_failed_status}; }

}  // namespace

Result<std::string> find_program(const std::string& name) {
    if (name.empty()) return Error{"command not found", "''", 127};
    int err = 0;
    if (name.find('/') != std::string::npos) {
        if (is_executable_file(name, err)) return name;
        // A path that does not exist is "No such file or directory" in
        // shells; keep the status, say what happened.
        if (err == ENOENT) return Error{"No such file or directory", name, 127};
        return error_for(name, err);
    }
    const char* env = std::getenv("PATH");
    const std::string path = env ? env : "/bin:/usr/bin";
    bool denied = false;
    std::size_t start = 0;
    for (;;) {
        const auto end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dir.empty()) dir = ".";  // an empty PATH entry is the current directory
        const std::string candidate = dir + "/" + name;
        if (is_executable_file(candidate, err)) return candidate;
        if (err == EACCES) denied = true;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return error_for(name, denied ? EACCES : ENOENT);
}

Job::Job(boost::asio::io_context& io) : sigchld_(io, SIGCHLD), kill_timer_(io) {}

Job::~Job() {
    if (keeper_ <= 0) return;
    // Kill the job's group and let the keeper reap it (so no zombie of the
    // job is left for init); the keeper then exits at once. A keeper that
    // does not (stopped by someone) is killed after two seconds.
    if (pgid_ > 0) ::kill(-pgid_, SIGKILL);
    int st = 0;
    for (int i = 0; i < 200; ++i) {
        if (::waitpid(keeper_, &st, WNOHANG) != 0) return;
        ::usleep(10 * 1000);
    }
    ::kill(keeper_, SIGKILL);
    while (::waitpid(keeper_, &st, 0) < 0 && errno == EINTR) {
    }
}

Status Job::start(const JobSpec& spec, std::function<void(int)> on_exit) {
    if (started_ || spec.argv.empty()) return Error{"no command", {}, 127};
    auto found = find_program(spec.argv[0]);
    if (!found) return found.error();
    const Prepared p = prepare(spec, *found);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fork_failed("pipe", errno);
    // The keeper starts with every signal blocked (it waits for them with
    // sigtimedwait); the job restores our mask before exec.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t tool = ::getpid();
    const pid_t keeper = ::fork();
    if (keeper == 0) {
        ::close(fds[0]);
        run_keeper(p, fds[1], tool, old);
    }
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(fds[1]);
    if (keeper < 0) {
        ::close(fds[0]);
        return fork_failed("fork", fork_errno);
    }

    // Read until EOF: the keeper closes its end after reporting the pid, the
    // job's end closes on a successful exec. Both happen at once.
    pid_t job = -1;
    int exec_errno = 0, keeper_errno = 0;
    Report r{};
    std::size_t have = 0;
    for (;;) {
        const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(&r) + have, sizeof r - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
        if (have < sizeof r) continue;
        have = 0;
        if (r.tag == 'P') job = r.value;
        else if (r.tag == 'E') exec_errno = r.value;
        else if (r.tag == 'F') keeper_errno = r.value;
    }
    ::close(fds[0]);

    if (exec_errno != 0 || keeper_errno != 0 || job <= 0) {
        // The keeper ends at once after its job did: reap it here.
        int st = 0;
        while (::waitpid(keeper, &st, 0) < 0 && errno == EINTR) {
        }
        if (exec_errno != 0) return error_for(spec.argv[0], exec_errno);
        return fork_failed("fork", keeper_errno ? keeper_errno : EAGAIN);
    }
    keeper_ = keeper;
    pgid_ = job;
    started_ = true;
    on_exit_ = std::move(on_exit);
    wait_sigchld();
    // A SIGCHLD that came before the wait was armed is still queued in the
    // signal_set; a check now costs nothing.
    boost::asio::post(sigchld_.get_executor(), [this] { reap(); });
    return {};
}

void Job::wait_sigchld() {
    sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        reap();
        if (keeper_ > 0) wait_sigchld();
    });
}

void Job::reap() {
    if (keeper_ <= 0) return;
    int st = 0;
    const pid_t r = ::waitpid(keeper_, &st, WNOHANG);
    if (r != keeper_) return;
    keeper_ = -1;
    kill_timer_.cancel();
    boost::system::error_code ignored;
    sigchld_.cancel(ignored);
    // The keeper's status is the job's (it maps a signal to 128+N itself);
    // a keeper killed by a signal reports that signal.
    const int status = status_of(st);
    if (auto f = std::move(on_exit_)) f(status);
}

void Job::signal(int signo) {
    if (keeper_ > 0 && pgid_ > 0) ::kill(-pgid_, signo);
}

void Job::terminate(Duration kill_after) {
    if (keeper_ <= 0) return;
    signal(SIGTERM);
    signal(SIGCONT);
    kill_timer_.expires_after(kill_after);
    kill_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        signal(SIGKILL);
    });
}

}  // namespace actor
