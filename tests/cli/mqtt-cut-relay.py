#!/usr/bin/env python3
"""A TCP relay for one MQTT bridge connection that can cut the network.

    mqtt-cut-relay.py LISTEN_PORT TARGET_PORT CUT_FILE

Forwards every connection to 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT,
one MQTT packet at a time. While CUT_FILE exists, PUBLISH packets are
dropped in both directions (the bridge runs at QoS 0, so nothing waits for
an acknowledgement); everything else (CONNECT, SUBSCRIBE, PINGREQ, ...)
passes, so the bridge stays connected and the heal is instant when the file
goes. That is a network split between two bridged brokers whose start and
end the test chooses to the millisecond, which restarting a broker cannot do
(the bridge's reconnect timing and the clients' backoff would decide).
"""
import os
import socket
import sys
import threading


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def pump(src, dst, cut_file):
    try:
        while True:
            head = read_exact(src, 1)
            length_bytes = b""
            length, mult = 0, 1
            for _ in range(4):
                b = read_exact(src, 1)
                length_bytes += b
                length += (b[0] & 0x7F) * mult
                mult *= 128
                if not b[0] & 0x80:
                    break
            body = read_exact(src, length)
            if head[0] >> 4 == 3 and os.path.exists(cut_file):
                continue
            dst.sendall(head + length_bytes + body)
    except (EOFError, OSError):
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    listen_port, target_port, cut_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(8)
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=pump, args=(a, b, cut_file), daemon=True).start()


if __name__ == "__main__":
    main()
