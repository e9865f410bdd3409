// --broker URL parsing and the transport factory.
//
// Accepted: mqtt://[user@]host[:port] (1883), mqtts://[user@]host[:port]
// (8883), serf://host[:port] (7373); an IPv6 host goes in brackets
// ([::1]:1883); one trailing "/" is tolerated. Everything else is refused
// with a message naming the problem, in particular a password inside the
// URL: it would show up in `ps` and shell history, so the CLI takes it only
// from --password-file or ACTOR_PASSWORD.
#include "actor/transport.hpp"

#include "actor/auth.hpp"
#include "actor/codec.hpp"
#include "factories.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace actor {
namespace {

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// User names may need '@' or ':' (e-mail style logins): take them %-encoded.
Result<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) {
            return Error{"bad %-escape in the user name"};
        }
        const int hi = hex_value(s[i + 1]);
        const int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return Error{"bad %-escape in the user name"};
        // libmosquitto takes C strings: a NUL would silently cut the name.
        if (hi == 0 && lo == 0) return Error{"NUL in the user name"};
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

std::string BrokerUrl::display() const {
    std::string out;
    switch (scheme) {
        case Scheme::mqtt: out = "mqtt://"; break;
        case Scheme::mqtts: out = "mqtts://"; break;
        case Scheme::serf: out = "serf://"; break;
    }
    // The user name is left out too: display() ends up in events, logs and
    // the job's environment, where account names have no business.
    if (host.find(':') != std::string::npos) {
        out += "[" + host + "]";
    } else {
        out += host;
    }
    out += ":" + std::to_string(port);
    return out;
}

Result<BrokerUrl> parse_broker_url(const std::string& url) {
    const auto fail = [&](const std::string& why) {
        return Error{"bad broker URL '" + url + "': " + why};
    };
    BrokerUrl out;
    const auto sep = url.find("://");
    if (sep == std::string::npos) {
        return fail("expected mqtt://, mqtts:// or serf:// followed by a host");
    }
    std::string scheme = url.substr(0, sep);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "mqtt") {
        out.scheme = BrokerUrl::Scheme::mqtt;
        out.port = 1883;
    } else if (scheme == "mqtts") {
        out.scheme = BrokerUrl::Scheme::mqtts;
        out.port = 8883;
    } else if (scheme == "serf") {
        out.scheme = BrokerUrl::Scheme::serf;
        out.port = 7373;
    } else {
        return fail("unknown scheme '" + scheme + "' (use mqtt, mqtts or serf)");
    }

    std::string_view rest = std::string_view(url).substr(sep + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find_first_of("/?#") != std::string_view::npos) {
        return fail("a path, query or fragment is not allowed (the group is given separately)");
    }

    const auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        if (userinfo.find(':') != std::string_view::npos) {
            return fail("a password in the URL would be visible to other users; "
                        "use --password-file or ACTOR_PASSWORD");
        }
        if (userinfo.empty()) return fail("empty user name before '@'");
        if (out.scheme == BrokerUrl::Scheme::serf) {
            return fail("serf:// takes no user name (use --serf-auth-file or ACTOR_SERF_AUTH)");
        }
        auto user = percent_decode(userinfo);
        if (!user) return fail(user.error().text());
        out.user = std::move(user.value());
    }

    std::string_view port_text;
    bool has_port = false;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return fail("missing ']' after the IPv6 address");
        const std::string_view addr = rest.substr(1, close - 1);
        if (addr.empty() || !std::all_of(addr.begin(), addr.end(), is_ipv6_char) ||
            addr.find(':') == std::string_view::npos) {
            return fail("bad IPv6 address '" + std::string(addr) + "'");
        }
        out.host = std::string(addr);
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail("unexpected text after ']'");
            has_port = true;
            port_text = after.substr(1);
        }
    } else {
        const auto colon = rest.find(':');
        std::string_view host = rest.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = rest.substr(colon + 1);
            if (port_text.find(':') != std::string_view::npos) {
                return fail("an IPv6 address must be written in brackets, e.g. [::1]:1883");
            }
        }
        if (host.empty()) return fail("empty host");
        if (!std::all_of(host.begin(), host.end(), is_host_char)) {
            return fail("bad host name '" + std::string(host) + "'");
        }
        out.host = std::string(host);
    }

    if (has_port) {
        if (port_text.empty() || port_text.size() > 5 ||
            !std::all_of(port_text.begin(), port_text.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
            return fail("bad port '" + std::string(port_text) + "'");
        }
        const unsigned long port = std::stoul(std::string(port_text));
        if (port == 0 || port > 65535) {
            return fail("port " + std::string(port_text) + " out of range 1-65535");
        }
        out.port = static_cast<std::uint16_t>(port);
    }
    return out;
}

std::optional<std::size_t> payload_limit(const TransportOptions& opts) {
    switch (opts.broker.scheme) {
        case BrokerUrl::Scheme::mqtt:
        case BrokerUrl::Scheme::mqtts:
            return max_wire_size;
        case BrokerUrl::Scheme::serf:
            // The event name is the group with '/' made '.': same length.
            if (opts.group.size() >= serf_event_budget) return std::size_t{0};
            return serf_event_budget - opts.group.size();
    }
    return std::nullopt;
}

const char* channel_name(const TransportOptions& opts) {
    return opts.broker.scheme == BrokerUrl::Scheme::serf ? "Serf" : "MQTT";
}

MessageRoom message_room(const TransportOptions& opts, bool keyed) {
    MessageRoom r{payload_limit(opts), channel_name(opts)};
    if (keyed) {
        if (r.limit) *r.limit -= std::min(*r.limit, seal_overhead);
        r.channel += " with --group-key";
    }
    return r;
}

std::unique_ptr<Transport> make_transport(boost::asio::io_context& io,
                                          const TransportOptions& opts) {
    switch (opts.broker.scheme) {
        case BrokerUrl::Scheme::mqtt:
        case BrokerUrl::Scheme::mqtts:
            return detail::make_mqtt_transport(io, opts);
        case BrokerUrl::Scheme::serf:
            return detail::make_serf_transport(io, opts);
    }
    return nullptr;
}

}  // namespace actor

namespace actor::detail {

ReconnectOptions reconnect_options(const TransportOptions& o, std::mt19937_64& rng) {
    ReconnectOptions r;
    r.max_backoff = o.max_backoff;
    r.first_connect_deadline = o.connect_timeout;
    r.random = [&rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); };
    return r;
}

}  // namespace actor::detail
