// --broker URL parsing: what is accepted, with which defaults, and that
// everything else is refused with a message naming the problem.
#include "actor/transport.hpp"

#include <gtest/gtest.h>

namespace {

using actor::BrokerUrl;
using actor::parse_broker_url;
using Scheme = actor::BrokerUrl::Scheme;

struct Good {
    const char* url;
    Scheme scheme;
    const char* user;
    const char* host;
    std::uint16_t port;
    const char* display;
};

TEST(TransportUrl, AcceptsTheDocumentedForms) {
    const Good table[] = {
        {"mqtt://localhost", Scheme::mqtt, "", "localhost", 1883, "mqtt://localhost:1883"},
        {"mqtt://localhost:1883", Scheme::mqtt, "", "localhost", 1883, "mqtt://localhost:1883"},
        {"mqtt://broker.example.org:11883", Scheme::mqtt, "", "broker.example.org", 11883,
         "mqtt://broker.example.org:11883"},
        {"mqtt://alice@broker", Scheme::mqtt, "alice", "broker", 1883, "mqtt://broker:1883"},
        {"mqtt://alice%40corp@broker", Scheme::mqtt, "alice@corp", "broker", 1883,
         "mqtt://broker:1883"},
        {"mqtts://broker", Scheme::mqtts, "", "broker", 8883, "mqtts://broker:8883"},
        {"mqtts://bob@broker:9000", Scheme::mqtts, "bob", "broker", 9000, "mqtts://broker:9000"},
        {"serf://127.0.0.1", Scheme::serf, "", "127.0.0.1", 7373, "serf://127.0.0.1:7373"},
        {"serf://agent:7374", Scheme::serf, "", "agent", 7374, "serf://agent:7374"},
        {"mqtt://[::1]:1884", Scheme::mqtt, "", "::1", 1884, "mqtt://[::1]:1884"},
        {"mqtt://[fe80::1]", Scheme::mqtt, "", "fe80::1", 1883, "mqtt://[fe80::1]:1883"},
        {"MQTT://host/", Scheme::mqtt, "", "host", 1883, "mqtt://host:1883"},
        {"mqtt://host:65535", Scheme::mqtt, "", "host", 65535, "mqtt://host:65535"},
    };
    for (const auto& g : table) {
        SCOPED_TRACE(g.url);
        const auto r = parse_broker_url(g.url);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->scheme, g.scheme);
        EXPECT_EQ(r->user, g.user);
        EXPECT_EQ(r->host, g.host);
        EXPECT_EQ(r->port, g.port);
        EXPECT_EQ(r->display(), g.display);
    }
}

struct Bad {
    const char* url;
    const char* says;  // part of the error message
};

TEST(TransportUrl, RefusesEverythingElseWithAReason) {
    const Bad table[] = {
        {"", "expected mqtt://"},
        {"localhost:1883", "expected mqtt://"},
        {"http://broker", "unknown scheme 'http'"},
        {"tcp://broker:1883", "unknown scheme"},
        {"mqtt://", "empty host"},
        {"mqtt://:1883", "empty host"},
        {"mqtt://alice@", "empty host"},
        {"mqtt://host:0", "out of range"},
        {"mqtt://host:65536", "out of range"},
        {"mqtt://host:99999", "out of range"},
        {"mqtt://host:123456", "bad port"},
        {"mqtt://host:", "bad port"},
        {"mqtt://host:12ab", "bad port"},
        {"mqtt://host:-1", "bad port"},
        {"mqtt://alice:secret@host", "--password-file or ACTOR_PASSWORD"},
        {"mqtts://alice:@host", "--password-file"},
        {"mqtt://@host", "empty user"},
        {"mqtt://host/actor/backup", "path"},
        {"mqtt://host:1883/x", "path"},
        {"mqtt://host?x=1", "path, query"},
        {"mqtt://::1", "brackets"},
        {"mqtt://[::1", "missing ']'"},
        {"mqtt://[::1]x", "after ']'"},
        {"mqtt://[]:1883", "bad IPv6"},
        {"mqtt://[zz::1]", "bad IPv6"},
        {"mqtt://bad host", "bad host name"},
        {"mqtt://a%2@host", "%-escape"},
        {"mqtt://a%00b@host", "NUL"},
        {"serf://alice@agent", "serf:// takes no user"},
    };
    for (const auto& b : table) {
        SCOPED_TRACE(b.url);
        const auto r = parse_broker_url(b.url);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
    }
}

TEST(TransportUrl, DisplayNeverCarriesCredentials) {
    const auto r = parse_broker_url("mqtts://operator@broker:8884");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->display().find("operator"), std::string::npos);
}

TEST(TransportUrl, FactoryPicksTheTransportByScheme) {
    boost::asio::io_context io;
    actor::TransportOptions opts;
    opts.group = "actor/test";
    opts.broker = *parse_broker_url("mqtt://127.0.0.1:1");
    auto mqtt = actor::make_transport(io, opts);
    ASSERT_NE(mqtt, nullptr);
    EXPECT_EQ(mqtt->max_payload(), std::optional<std::size_t>(64 * 1024));
    EXPECT_EQ(actor::payload_limit(opts), mqtt->max_payload());
    EXPECT_STREQ(actor::channel_name(opts), "MQTT");
    opts.broker = *parse_broker_url("serf://127.0.0.1:1");
    auto serf = actor::make_transport(io, opts);
    ASSERT_NE(serf, nullptr);
    // 470 bytes of event name ("actor.test", 10) + payload.
    EXPECT_EQ(serf->max_payload(), std::optional<std::size_t>(460));
    EXPECT_EQ(actor::payload_limit(opts), serf->max_payload());
    EXPECT_STREQ(actor::channel_name(opts), "Serf");
    opts.group = std::string(470, 'g');
    EXPECT_EQ(actor::payload_limit(opts), std::optional<std::size_t>(0));
}

}  // namespace
