#!/usr/bin/python3
"""One node of the Python reference, asyncactor, on MQTT, printing its events
as actor-join's JSON lines (time, event, node), for `actorbench.py interop`.

    asyncactor_peer.py --src DIR --broker mqtt://HOST:PORT --name NAME
                       --cycle S --gap S [--value V] GROUP

DIR holds the asyncactor package (a checkout of its repository: it is not
packaged for Debian, and it is not part of this repository). Needs Debian's
python3-anyio, python3-outcome, python3-attr, python3-msgpack and
python3-paho-mqtt.

asyncactor reaches MQTT through distmqtt, which Debian does not package
either. asyncactor asks only two things of a transport (asyncactor/abc.py):
`send(payload)` publishes one msgpack message on the topic, and `monitor()`
yields the messages that arrive on it. PahoTransport below does both over
paho-mqtt (QoS 0, like asyncactor's own MQTT back-end), and a two-line
`distmqtt.utils` module supplies the one helper actor.py imports from it
(`create_queue`, an anyio memory channel with async put/get).
"""
import argparse
import asyncio
import datetime
import json
import sys
import types
import urllib.parse


def install_distmqtt_utils():
    import anyio

    class Queue:
        def __init__(self, size):
            self._send, self._recv = anyio.create_memory_object_stream(size)

        async def put(self, item):
            await self._send.send(item)

        async def get(self):
            return await self._recv.receive()

    pkg = types.ModuleType("distmqtt")
    utils = types.ModuleType("distmqtt.utils")
    utils.create_queue = Queue
    pkg.utils = utils
    sys.modules["distmqtt"] = pkg
    sys.modules["distmqtt.utils"] = utils


def emit(event, node, **extra):
    now = datetime.datetime.now(datetime.timezone.utc)
    line = {"time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "event": event, "node": node, **extra}
    print(json.dumps(line), flush=True)


class PahoTransport:
    """asyncactor's Transport over paho-mqtt: paho's network thread hands
    each message to the event loop with call_soon_threadsafe."""

    def __init__(self, client, topic, loop):
        self.client, self.topic, self.loop = client, tuple(topic.split("/")), loop
        self.tag = topic
        self.queue = asyncio.Queue()

    def on_message(self, _client, _userdata, msg):
        self.loop.call_soon_threadsafe(self.queue.put_nowait, msg.payload)

    def monitor(self):
        transport = self

        class Monitor:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *tb):
                return None

            def __aiter__(self):
                return self

            async def __anext__(self):
                import msgpack
                while True:
                    raw = await transport.queue.get()
                    try:
                        return msgpack.unpackb(raw, raw=False, use_list=False)
                    except Exception:  # garbage on the topic: asyncactor would die on it
                        continue
        return Monitor()

    async def send(self, payload):
        import msgpack
        self.client.publish(self.tag, msgpack.packb(payload, use_bin_type=True), qos=0)


async def run(args):
    import anyio
    import paho.mqtt.client as mqtt
    from asyncactor.actor import Actor
    from asyncactor.events import TagEvent, UntagEvent, DetagEvent, PingEvent

    url = urllib.parse.urlparse(args.broker)
    loop = asyncio.get_running_loop()
    client = mqtt.Client(client_id=f"asyncactor-{args.name}", clean_session=True)
    transport = PahoTransport(client, args.group, loop)
    connected = asyncio.Event()
    client.on_message = transport.on_message
    client.on_connect = lambda c, u, f, rc: (c.subscribe(args.group, qos=0),
                                            loop.call_soon_threadsafe(connected.set))
    client.connect(url.hostname, url.port or 1883, keepalive=10)
    client.loop_start()
    await asyncio.wait_for(connected.wait(), 10)
    await asyncio.sleep(0.2)  # the SUBACK: asyncactor must hear its own init
    cfg = dict(cycle=args.cycle, gap=args.gap)
    async with Actor(transport, args.name, cfg) as actor:
        await actor.set_value(args.value)
        actor.set_ready()
        async for evt in actor:
            if isinstance(evt, TagEvent):
                emit("tag", args.name, value=evt.value)
            elif isinstance(evt, DetagEvent):
                emit("detag", args.name, winner=getattr(evt, "node", None))
            elif isinstance(evt, UntagEvent):
                emit("untag", args.name)
            elif isinstance(evt, PingEvent):
                emit("ping", getattr(evt.msg, "node", None))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True)
    ap.add_argument("--broker", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--cycle", type=float, required=True)
    ap.add_argument("--gap", type=float, required=True)
    ap.add_argument("--value", type=int, default=0)
    ap.add_argument("group")
    args = ap.parse_args()
    sys.path.insert(0, args.src)
    install_distmqtt_utils()
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # anyio 3 runs anyio-2.0 code with warnings
    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
