"""A bus peer in its own process, so tests can really kill it (`kill -9`).

python bus_process.py consume SETTINGS_JSON TOPIC GROUP
    Subscribe and report every event as {"received": id, "key": ..., "seq": ...}; an event whose data has
    "die": true makes the process SIGKILL itself inside the handler, before the offset is committed.
python bus_process.py publish SETTINGS_JSON TOPIC COUNT
    Publish COUNT events (10 at a time, concurrently) and report each id as {"published": id} once its
    publish returned; then wait to be killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from cloudevents.core.v1.event import CloudEvent

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.codec import Event
from warden_common.settings import BusSettings


def report(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def consume(bus: Bus, topic: str, group: str) -> None:
    async def handle(event: Event) -> None:
        data = event.get_data()
        assert isinstance(data, dict)
        if data.get("die"):
            report(dying=event.get_id())
            os.kill(os.getpid(), signal.SIGKILL)
        report(received=event.get_id(), key=data.get("key"), seq=data.get("seq"))

    await bus.subscribe(topic, group=group, handler=handle)
    report(ready=True)
    await asyncio.Event().wait()


async def publish(bus: Bus, topic: str, count: int) -> None:
    async def one(seq: int) -> None:
        event = CloudEvent(
            {"type": "io.warden.test.published.v1", "source": "/tests/bus", "datacontenttype": "application/json"},
            data={"seq": seq},
        )
        await bus.publish(event, topic=topic, key=f"key-{seq % 7}")
        report(published=event.get_id())

    for start in range(0, count, 10):
        await asyncio.gather(*(one(seq) for seq in range(start, min(start + 10, count))))
    report(done=True)
    await asyncio.Event().wait()


async def main(mode: str, settings_json: str, topic: str, arg: str) -> None:
    bus = create_bus(BusSettings.model_validate_json(settings_json))
    await bus.start()
    if mode == "consume":
        await consume(bus, topic, arg)
    else:
        await publish(bus, topic, int(arg))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
