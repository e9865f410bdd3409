// Common options of every tool (docs/CLI.md). Everything is taken as text first
// and checked here, not by CLI11 validators, so each bad option gets one line
// of our own wording naming it.
#include "actor/cli.hpp"

#include <CLI/CLI.hpp>

#include "actor/duration.hpp"
#include "actor/event_json.hpp"
#include "actor/exit_status.hpp"
#include "actor/fit.hpp"
#include "actor/version.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <vector>

namespace actor::cli {

namespace {

constexpr std::size_t max_group_bytes = 200;
constexpr std::size_t max_name_bytes = 200;


Result<std::int64_t> parse_int(const std::string& text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || p != end) return Error{"bad integer " + actor::quoted(text)};
    return v;
}

// The option that sets each field the core names as an error's subject
// (actor::validate, actor::check_fits): the one place they are mapped.
constexpr std::pair<std::string_view, const char*> option_of_field[] = {
    {"cycle", "--cycle"}, {"gap", "--gap"},   {"nodes", "--nodes"},  {"splits", "--splits"},
    {"n_hosts", "--n-hosts"}, {"version", "--config-version"}, {"name", "--name"}, {"value", "--value"},
};

// `e` about a core field, as an error about the option that set it.
Error about_option(Error e) {
    for (auto [field, option] : option_of_field) {
        if (e.subject == field) {
            e.subject = option;
            return e;
        }
    }
    if (e.subject.empty()) e.subject = "bad config";
    return e;
}

// `e` (from a building block that does not know the option) about `option`.
Error about(const char* option, Error e) {
    e.message = e.text();
    e.subject = option;
    return e;
}

std::string one_line(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

}  // namespace

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values beyond Unicode are invalid.
        static constexpr std::uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

// The rule lives in the core (actor/duration.hpp), shared with --control.
Result<Duration> parse_duration(std::string_view text) { return actor::parse_duration(text); }

Status check_group(std::string_view g) {
    const auto bad = [](std::string why) { return Error{std::move(why), "GROUP"}; };
    if (g.empty()) return bad("must not be empty");
    if (g.size() > max_group_bytes) return bad("longer than " + std::to_string(max_group_bytes) + " bytes");
    if (!valid_utf8(g)) return bad("not valid UTF-8");
    if (g.find('\0') != std::string_view::npos) return bad("contains NUL");
    if (g.find_first_of("+#") != std::string_view::npos)
        return bad(actor::quoted(g) + " contains a wildcard ('+' or '#')");
    if (g.front() == '/' || g.back() == '/' || g.find("//") != std::string_view::npos)
        return bad(actor::quoted(g) + " has an empty component");
    return {};
}

Status check_name(std::string_view n) {
    const auto bad = [](std::string why) { return Error{std::move(why), "--name"}; };
    if (n.empty()) return bad("must not be empty");
    if (n.find('\0') != std::string_view::npos) return bad("contains NUL");
    if (n.size() > max_name_bytes) return bad("longer than " + std::to_string(max_name_bytes) + " bytes");
    if (!valid_utf8(n)) return bad("not valid UTF-8");
    return {};
}

Result<std::string> read_first_line(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read " + actor::quoted(path)};
    std::string line;
    std::getline(in, line);
    if (in.bad()) return Error{"cannot read " + actor::quoted(path)};
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

Result<GroupKeys> read_group_key_file(const std::string& path) {
    const auto bad = [&](std::string why, int status = exit_status::usage) {
        return Error{actor::quoted(path) + " " + std::move(why), "--group-key", status};
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        return bad(std::string("cannot be read: ") + std::strerror(e), e == EACCES ? exit_status::denied : exit_status::usage);
    }
    struct stat st {};
    std::string text;
    Status status;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        status = bad("is not a regular file");
    } else if ((st.st_mode & 077) != 0) {
        // As ssh refuses a private key others can read: the key is the group.
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        status = bad(std::string("is accessible by group or others (mode ") + mode + "); chmod 600 it",
                     exit_status::denied);
    } else {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                status = bad("cannot be read");
                break;
            }
            if (n == 0) break;
            text.append(buf, static_cast<std::size_t>(n));
            if (text.size() > 8 * max_group_key_bytes) {
                status = bad("is too large for a key file");
                break;
            }
        }
    }
    ::close(fd);
    if (!status) return status.error();
    auto keys = parse_group_keys(text);
    // Wipe our copy of the text; the keys live on in GroupAuth only.
    std::fill(text.begin(), text.end(), '\0');
    if (!keys) return bad(keys.error().message);
    return keys;
}

std::string default_node_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf;
}

void add_common_options(CLI::App& app, CommonOptions& o) {
    auto& r = o.raw;
    const auto last = CLI::MultiOptionPolicy::TakeLast;
    app.add_option("GROUP", r.group, "group path, e.g. actor/backup")->required();
    app.add_option("-b,--broker", r.broker,
                   "mqtt://[user@]host[:port], mqtts://..., serf://host[:port] (env ACTOR_BROKER)")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("-n,--name", r.name, "this node's name (env ACTOR_NAME; default: host name)")
        ->multi_option_policy(last);
    app.add_option("--value", r.value, "the node's value as JSON (null = not ready)")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("--cycle", r.cycle, "length of a turn: 10, 10s, 250ms, 2m")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("--gap", r.gap, "slot width, above the broadcast latency")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("--timeout", r.timeout, "give up after DURATION (exit 124)")
        ->multi_option_policy(last);
    app.add_option("--nodes", r.nodes, "chain bound")->multi_option_policy(last)->capture_default_str();
    app.add_option("--splits", r.splits, "history entries a ping carries")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("--n-hosts", r.n_hosts, "rough number of participants")
        ->multi_option_policy(last)->capture_default_str();
    app.add_flag("--force-in", o.force_in, "try hard to get every node onto the chain");
    app.add_option("--turn-policy", r.turn_policy,
                   "when this node pings: fair (the longest waiting first) or asyncactor (0.24's choice)")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("--config-version", r.config_version, "config version")
        ->multi_option_policy(last)->capture_default_str();
    app.add_option("-u,--username", o.username, "broker user name")->multi_option_policy(last);
    app.add_option("--password-file", r.password_file,
                   "read the broker password from the first line of FILE (or env ACTOR_PASSWORD)")
        ->multi_option_policy(last);
    app.add_option("--cafile", o.cafile, "TLS CA file (mqtts)")->multi_option_policy(last);
    app.add_option("--capath", o.capath, "TLS CA directory (mqtts)")->multi_option_policy(last);
    app.add_option("--cert", o.cert, "TLS client certificate (needs --key)")->multi_option_policy(last);
    app.add_option("--key", o.key, "TLS client key")->multi_option_policy(last);
    app.add_option("--group-key", r.group_key_file,
                   "sign and check every message with the group key in FILE, mode 0600 (env ACTOR_GROUP_KEY_FILE)")
        ->multi_option_policy(last);
    app.add_option("--serf-auth-file", r.serf_auth_file,
                   "read the Serf RPC auth key from FILE (or env ACTOR_SERF_AUTH)")
        ->multi_option_policy(last);
    app.add_flag("-v,--verbose", o.verbose, "diagnostics on stderr (repeat for more)");
    app.add_flag("-q,--quiet", o.quiet, "no diagnostics on stderr");
    app.add_option("--format", r.format, "json or text")->multi_option_policy(last)->capture_default_str();
    app.set_config("--config", "", "read options from FILE (key = \"value\" lines)");
    app.set_version_flag("--version", o.tool + " " + version_string);
}

Status finish_common_options(CommonOptions& o) {
    auto& r = o.raw;
    if (auto checked = check_group(r.group); !checked) return checked;
    o.group = r.group;

    auto url = parse_broker_url(r.broker);
    if (!url) return about("--broker", url.error());
    o.broker = *url;

    o.name = r.name_given ? r.name : default_node_name();
    if (auto checked = check_name(o.name); !checked) return checked;

    try {
        o.value = value_from_json(nlohmann::json::parse(r.value));
    } catch (const std::exception&) {
        return Error{"bad JSON " + actor::quoted(r.value), "--value"};
    }

    auto cycle = parse_duration(r.cycle);
    if (!cycle) return about("--cycle", cycle.error());
    auto gap = parse_duration(r.gap);
    if (!gap) return about("--gap", gap.error());
    if (!r.timeout.empty()) {
        auto t = parse_duration(r.timeout);
        if (!t) return about("--timeout", t.error());
        if (t->count() <= 0) return Error{"must be more than 0", "--timeout"};
        o.timeout = *t;
    }
    struct IntOpt {
        const char* name;
        const std::string& text;
        std::int64_t& out;
    };
    for (const IntOpt& i : {IntOpt{"--nodes", r.nodes, o.config.nodes},
                            IntOpt{"--splits", r.splits, o.config.splits},
                            IntOpt{"--n-hosts", r.n_hosts, o.config.n_hosts},
                            IntOpt{"--config-version", r.config_version, o.config.version}}) {
        auto v = parse_int(i.text);
        if (!v) return about(i.name, v.error());
        i.out = *v;
    }
    o.config.cycle = to_seconds(*cycle);
    o.config.gap = to_seconds(*gap);
    o.config.force_in = o.force_in;
    if (auto checked = validate(o.config); !checked) return about_option(checked.error());

    if (!r.password_file.empty()) {
        auto pw = read_first_line(r.password_file);
        if (!pw) return about("--password-file", pw.error());
        o.password = *pw;
    } else if (const char* env = std::getenv("ACTOR_PASSWORD"); env && *env) {
        o.password = env;
    }
    if (!r.serf_auth_file.empty()) {
        auto key = read_first_line(r.serf_auth_file);
        if (!key) return about("--serf-auth-file", key.error());
        o.serf_auth = *key;
    } else if (const char* env = std::getenv("ACTOR_SERF_AUTH"); env && *env) {
        o.serf_auth = env;
    }

    if (!r.group_key_file.empty()) {
        auto keys = read_group_key_file(r.group_key_file);
        if (!keys) return keys.error();
        o.group_keys = std::move(*keys);
    }

    if (!o.cert.empty() && o.key.empty()) return Error{"a certificate needs --key", "--cert"};
    if (o.cert.empty() && !o.key.empty()) return Error{"a key needs --cert", "--key"};
    for (auto [opt, path] : {std::pair<const char*, const std::string*>{"--cafile", &o.cafile},
                             {"--cert", &o.cert}, {"--key", &o.key}}) {
        if (!path->empty() && ::access(path->c_str(), R_OK) != 0)
            return Error{"cannot read " + actor::quoted(*path), opt};
    }
    if (!o.capath.empty() && ::access(o.capath.c_str(), R_OK | X_OK) != 0)
        return Error{"cannot read " + actor::quoted(o.capath), "--capath"};
    const bool tls_given = !o.cafile.empty() || !o.capath.empty() || !o.cert.empty();
    if (tls_given && o.broker.scheme != BrokerUrl::Scheme::mqtts)
        return Error{"TLS options need an mqtts:// broker", "--cafile/--capath/--cert"};

    if (r.turn_policy == "fair") o.turn_policy = TurnPolicy::fair;
    else if (r.turn_policy == "asyncactor") o.turn_policy = TurnPolicy::asyncactor;
    else return Error{actor::quoted(r.turn_policy) + " is not fair or asyncactor", "--turn-policy"};

    if (r.format == "json") o.format = Format::json;
    else if (r.format == "text") o.format = Format::text;
    else if (r.format == "prometheus" && o.tool == "actor-watch") o.format = Format::prometheus;
    else if (o.tool == "actor-watch") return Error{actor::quoted(r.format) + " is not json, text or prometheus", "--format"};
    else return Error{actor::quoted(r.format) + " is not json or text", "--format"};
    if (o.quiet && o.verbose > 0) return Error{"cannot be combined with --verbose", "--quiet"};
    return {};
}

int usage_error(const CommonOptions& o, const Error& e) {
    std::cerr << o.tool << ": " << one_line(e.text()) << std::endl;
    return exit_status::usage;
}

std::optional<int> parse(CLI::App& app, CommonOptions& o, int argc, const char* const* argv) {
    // Env values go in front of argv: argv (later, TakeLast) overrides them,
    // and because they count as given, the config file cannot override
    // them. That is the documented order: defaults < file < env < argv.
    std::vector<std::string> args;
    for (auto [env, opt] : {std::pair{"ACTOR_BROKER", "--broker"}, std::pair{"ACTOR_NAME", "--name"},
                            std::pair{"ACTOR_GROUP_KEY_FILE", "--group-key"}}) {
        if (const char* v = std::getenv(env); v && *v) {
            args.emplace_back(opt);
            args.emplace_back(v);
        }
    }
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    // CLI11 takes a reversed vector (it pops from the back).
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help() << std::flush;
        return exit_status::ok;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All) << std::flush;
        return exit_status::ok;
    } catch (const CLI::CallForVersion& v) {
        std::cout << v.what() << std::endl;
        return exit_status::ok;
    } catch (const CLI::FileError& e) {
        // The only file CLI11 reads itself is the --config file.
        return usage_error(o, Error{e.what(), "--config"});
    } catch (const CLI::ParseError& e) {
        return usage_error(o, Error{e.what()});
    }
    o.raw.name_given = app.count("--name") > 0;
    if (auto checked = finish_common_options(o); !checked) {
        // 64, or the status the error implies (a loose key file: 77).
        const int usage = usage_error(o, checked.error());
        return checked.error().status != 0 ? checked.error().status : usage;
    }
    // actor-watch sends nothing at all (Mode::observer): no size to check.
    if (o.tool != "actor-watch") {
        if (auto checked = check_sizes(o); !checked) return usage_error(o, checked.error());
    }
    return std::nullopt;
}

Status check_sizes(const CommonOptions& o) {
    const TransportOptions t = transport_options(o);
    const auto room = message_room(t, o.group_keys.has_value());
    if (!room.limit) return {};
    auto fits = check_fits(o.name, o.value, o.config, *room.limit, room.channel);
    if (!fits) return about_option(fits.error());
    return {};
}

TransportOptions transport_options(const CommonOptions& o) {
    TransportOptions t;
    t.broker = o.broker;
    t.group = o.group;
    t.username = o.username;
    t.password = o.password;
    t.cafile = o.cafile;
    t.capath = o.capath;
    t.certfile = o.cert;
    t.keyfile = o.key;
    t.serf_auth = o.serf_auth;
    t.client_id = o.name;
    // The first connection is bounded by --timeout; without it a
    // persistent tool keeps trying forever, the others give up after 10 s.
    if (o.timeout) t.connect_timeout = *o.timeout;
    else if (o.persistent) t.connect_timeout = std::nullopt;
    else t.connect_timeout = std::chrono::seconds(10);
    return t;
}

NodeOptions node_options(const CommonOptions& o, Mode mode) {
    NodeOptions n;
    n.name = o.name;
    n.config = o.config;
    n.value = o.value;
    // A node given a non-null value on the command line is ready (docs/PROTOCOL.md
    // next-ping-time rule 3 only slows nodes that have nothing to offer).
    n.ready = !o.value.is_null();
    n.mode = mode;
    n.turn_policy = o.turn_policy;
    return n;
}

int exit_status_for(const Ending& e, ExitPolicy policy) {
    using K = Ending::Kind;
    switch (e.kind) {
    case K::done:
    case K::output_closed: return exit_status::ok;
    case K::usage: return exit_status::usage;
    case K::unavailable:
    case K::no_echo: return exit_status::unavailable;
    case K::denied: return exit_status::denied;
    case K::name_twin: return exit_status::name_twin;
    case K::timeout: return exit_status::timeout;
    case K::signal:
        return policy.signal_is_success ? exit_status::ok : exit_status::signal_base + e.signal;
    }
    return exit_status::unavailable;
}

}  // namespace actor::cli

namespace actor {

RuntimeOptions runtime_options(const cli::CommonOptions& o) {
    RuntimeOptions r;
    r.tool = o.tool;
    r.group = o.group;
    r.format = o.format;
    r.verbose = o.verbose;
    r.quiet = o.quiet;
    r.timeout = o.timeout;
    r.transport = cli::transport_options(o);
    r.group_keys = o.group_keys;
    return r;
}

}  // namespace actor
