"""What the request-logger benchmark records beside wall-clock time: CPU seconds, and OpenSearch's own work.

On a shared machine wall-clock throughput swings with whatever else runs; CPU time does not (much). So every
phase also reports the logger process's CPU seconds (user + system, from /proc) and what OpenSearch spent on the
phase's indices (`_stats`: indexing, refresh and merge time), per 1,000 predictions.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

_TICKS = os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """All cores' clock ticks so far: (total, idle or waiting for I/O), from /proc/stat."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]


def busy_since(before: tuple[int, int]) -> float:
    """Share of all cores' time spent busy since `before` (a `machine_ticks()`)."""
    total, idle = machine_ticks()
    return 1 - (idle - before[1]) / max(total - before[0], 1)


def machine_busy_fraction(interval_s: float = 1.0) -> float:
    """Share of all cores' time spent busy (not idle or waiting for I/O) over the next `interval_s`."""
    before = machine_ticks()
    time.sleep(interval_s)
    return busy_since(before)


def settle(max_busy: float = 0.15, within_s: float = 20.0) -> float:
    """Wait until the machine is quiet (at most `max_busy` of its cores busy over a second), up to `within_s`.

    Each phase starts from a quiet machine: right after a phase, OpenSearch still refreshes, merges and deletes
    the phase's indices and Kafka still flushes what was published, which would otherwise be charged to the
    next phase (whichever it is). Returns the last busy fraction seen.
    """
    deadline = time.monotonic() + within_s
    busy = machine_busy_fraction()
    while busy > max_busy and time.monotonic() < deadline:
        busy = machine_busy_fraction()
    return busy


def _cpu_ticks(pid: int) -> list[int]:
    """utime, stime, cutime, cstime of process `pid` (fields 14-17 of stat(5))."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [int(value) for value in fields[11:15]]


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (its threads included, children not)."""
    utime, stime, _, _ = _cpu_ticks(pid)
    return (utime + stime) / _TICKS


def peak_memory_mb(pid: int) -> float:
    """The most resident memory process `pid` has had so far (VmHWM), in MiB."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds of `pid` and its children, live and exited (PostgreSQL's postmaster and its backends): a child's
    time moves into its parent's cutime/cstime when it is reaped, so the sum stays whole across exits."""

    def whole(child: int) -> float:
        try:
            return sum(_cpu_ticks(child)) / _TICKS
        except FileNotFoundError:  # exited between the listing and the read: its time is in the parent's now
            return 0.0

    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return whole(pid) + sum(whole(child) for child in children)


@dataclass(frozen=True)
class IndexWork:
    """Milliseconds OpenSearch spent on one phase's indices, and the Lucene documents it indexed."""

    index_ms: int
    refresh_ms: int
    merge_ms: int
    lucene_docs: int
    operations: int

    def per_thousand(self, predictions: int) -> str:
        scale = 1000 / predictions
        return (f"index {self.index_ms * scale:,.0f} ms, refresh {self.refresh_ms * scale:,.0f} ms, "
                f"merge {self.merge_ms * scale:,.0f} ms per 1,000 predictions "
                f"({self.lucene_docs / predictions:.1f} Lucene docs and {self.operations / predictions:.2f} "
                f"index operations per prediction)")  # fmt: skip


async def index_work(client: httpx.AsyncClient, prefix: str) -> IndexWork:
    """`_stats` of every index of `prefix` (call before deleting them)."""
    answer = await client.get(f"/{prefix}*/_stats/indexing,refresh,merge,docs")
    answer.raise_for_status()
    total: dict[str, Any] = answer.json()["_all"]["primaries"]
    return IndexWork(
        index_ms=int(total["indexing"]["index_time_in_millis"]),
        refresh_ms=int(total["refresh"]["total_time_in_millis"]),
        merge_ms=int(total["merges"]["total_time_in_millis"]),
        lucene_docs=int(total["docs"]["count"]),  # nested documents included
        operations=int(total["indexing"]["index_total"]),  # creates, and the upserts of documents that existed
    )


async def opensearch_cpu_s(client: httpx.AsyncClient) -> float:
    """CPU seconds of the OpenSearch node so far (every index, other users of the node included)."""
    answer = await client.get("/_nodes/_local/stats/process")
    answer.raise_for_status()
    (node,) = answer.json()["nodes"].values()
    return int(node["process"]["cpu"]["total_in_millis"]) / 1000


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    return (f"nproc={os.cpu_count()}, CPU={cpu}, RAM={mem_kb / 1024 / 1024:.1f} GiB, "
            f"date={time.strftime('%Y-%m-%d %H:%M')}, load average {load_average()}")  # fmt: skip
