#pragma once
// Constructors of the concrete transports; make_transport() picks one by
// the URL scheme.
#include "actor/transport.hpp"

namespace actor::detail {

std::unique_ptr<Transport> make_mqtt_transport(boost::asio::io_context& io,
                                               const TransportOptions& opts);
std::unique_ptr<Transport> make_serf_transport(boost::asio::io_context& io,
                                               const TransportOptions& opts);

}  // namespace actor::detail
