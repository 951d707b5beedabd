"""`LingeringWriter`: one flush on size or after the linger, whichever first; each caller gets its own answer;
nothing accepted is lost on close."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from warden_common.logstore import DeploymentRef, InstanceWrite, ItemRejected, LogStoreUnavailable, LogWrite
from warden_common.logstore.lingering import LingeringWriter

REF = DeploymentRef("ns", "dep")


def writes(*ids: str) -> list[LogWrite]:
    return [InstanceWrite(REF, doc_id, {"requestId": doc_id}) for doc_id in ids]


class RecordingStore:
    """Stands in for a log store's `write`: records each flush; refuses documents whose id starts with `bad`."""

    def __init__(self, *, fail: Exception | None = None, hold: asyncio.Event | None = None) -> None:
        self.flushes: list[list[str]] = []
        self.fail, self.hold = fail, hold

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        if self.hold is not None:
            await self.hold.wait()
        ids = [item.doc_id for item in items if isinstance(item, InstanceWrite)]
        self.flushes.append(ids)
        if self.fail is not None:
            raise self.fail
        return [ItemRejected(p, "refused", 400) for p, doc_id in enumerate(ids) if doc_id.startswith("bad")]


async def test_small_writes_wait_for_the_linger_and_share_one_flush() -> None:
    store = RecordingStore()
    writer = LingeringWriter(store.write, max_items=100, linger_s=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    first, second = await asyncio.gather(writer.write(writes("a", "b")), writer.write(writes("c")))
    assert loop.time() - started >= 0.04  # held for the linger: nothing reached the size
    assert store.flushes == [["a", "b", "c"]]
    assert first == [] and second == []


async def test_reaching_the_size_flushes_at_once_without_waiting_for_the_linger() -> None:
    store = RecordingStore()
    writer = LingeringWriter(store.write, max_items=3, linger_s=60.0)
    async with asyncio.timeout(5):  # a linger of a minute would time this out
        await asyncio.gather(writer.write(writes("a", "b")), writer.write(writes("c")))
    assert store.flushes == [["a", "b", "c"]]


async def test_a_write_bigger_than_the_size_goes_whole_and_alone() -> None:
    store = RecordingStore()
    writer = LingeringWriter(store.write, max_items=2, linger_s=60.0)
    async with asyncio.timeout(5):
        await writer.write(writes("a", "b", "c", "d", "e"))
    assert store.flushes == [["a", "b", "c", "d", "e"]]


async def test_each_caller_gets_its_own_rejections_at_its_own_positions() -> None:
    store = RecordingStore()
    writer = LingeringWriter(store.write, max_items=100, linger_s=0.01)
    first, second = await asyncio.gather(writer.write(writes("a", "bad1")), writer.write(writes("bad2", "d", "bad3")))
    assert store.flushes == [["a", "bad1", "bad2", "d", "bad3"]]
    assert [r.position for r in first] == [1]
    assert [r.position for r in second] == [0, 2]


async def test_a_failed_flush_fails_every_caller_in_it() -> None:
    writer = LingeringWriter(RecordingStore(fail=LogStoreUnavailable("away")).write, max_items=100, linger_s=0.01)
    results = await asyncio.gather(writer.write(writes("a")), writer.write(writes("b")), return_exceptions=True)
    assert all(isinstance(r, LogStoreUnavailable) for r in results)


async def test_close_flushes_what_is_pending_at_once_and_waits_for_flushes_in_flight() -> None:
    hold = asyncio.Event()
    store = RecordingStore(hold=hold)
    writer = LingeringWriter(store.write, max_items=2, linger_s=60.0)
    in_flight = asyncio.create_task(writer.write(writes("a", "b")))  # size reached: flushing, held by the store
    pending = asyncio.create_task(writer.write(writes("c")))  # waits for a minute's linger
    await asyncio.sleep(0.01)
    assert writer.pending == 1
    closing = asyncio.create_task(writer.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # the held flush is not finished
    hold.set()
    async with asyncio.timeout(5):
        await closing
        assert await in_flight == [] and await pending == []
    assert sorted(sorted(f) for f in store.flushes) == [["a", "b"], ["c"]]
    assert writer.pending == 0
    assert await writer.write(writes("d")) == []  # after close: straight to the store
    assert store.flushes[-1] == ["d"]


async def test_no_linger_writes_each_call_on_its_own() -> None:
    store = RecordingStore()
    writer = LingeringWriter(store.write, max_items=100, linger_s=0)
    await asyncio.gather(writer.write(writes("a")), writer.write(writes("b")))
    assert sorted(store.flushes) == [["a"], ["b"]]


def test_settings_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="max_items"):
        LingeringWriter(RecordingStore().write, max_items=0, linger_s=0.1)
    with pytest.raises(ValueError, match="linger_s"):
        LingeringWriter(RecordingStore().write, max_items=1, linger_s=-1)
