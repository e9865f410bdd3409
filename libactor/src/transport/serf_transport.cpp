// PLACEHOLDER until the Serf RPC client lands: refuses serf:// URLs.
#include "factories.hpp"

namespace actor::detail {
namespace {
class NoSerf final : public Transport {
public:
    void start(TransportHandlers h) override {
        if (h.on_fatal) h.on_fatal(FatalKind::usage, "serf:// is not available in this build");
    }
    Result<bool> publish(std::vector<std::uint8_t>) override { return Error{"serf unavailable"}; }
    void stop() override {}
    bool connected() const override { return false; }
};
}  // namespace

std::unique_ptr<Transport> make_serf_transport(boost::asio::io_context&, const TransportOptions&) {
    return std::make_unique<NoSerf>();
}
}  // namespace actor::detail
