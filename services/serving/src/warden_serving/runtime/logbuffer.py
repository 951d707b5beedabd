"""The output of one replica (its MLServer processes, one after another): bounded, timestamped, followable.

Lines live in memory only (the last `max_lines`, `ServingSettings.log_tail_lines`): MLServer writes to a pipe the
supervisor reads, there is no log file, and a bounded buffer cannot fill a disk however chatty a model is. Every
line has a sequence number, so a reader that follows knows exactly which lines it has not seen yet and how many it
lost if it fell more than `max_lines` behind.

A "run" is one MLServer process: a follower ends with the run it started in (like `kubectl logs -f` ends with its
container), or at once when no process is running.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LogLine:
    seq: int
    at: float
    """Unix time the supervisor read the line."""
    text: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Lines a slow follower did not get: they left the buffer before it read them."""

    lost: int


class ProcessLog:
    def __init__(self, max_lines: int) -> None:
        self._lines: deque[LogLine] = deque(maxlen=max_lines)
        self._next_seq = 0
        self._run = 0
        self._running = False
        self._wake = asyncio.Event()
        self.followers = 0
        """Readers following now: a reader that went away must not stay counted (tests check it)."""

    def __iter__(self) -> Iterator[str]:
        return (line.text for line in self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest line (-1 before any)."""
        return self._next_seq - 1

    def append(self, text: str) -> None:
        self._lines.append(LogLine(self._next_seq, time.time(), text))
        self._next_seq += 1
        self._notify()

    def start_run(self) -> None:
        self._run += 1
        self._running = True
        self._notify()

    def end_run(self) -> None:
        self._running = False
        self._notify()

    def _notify(self) -> None:
        # Every waiter holds the event of its time; a fresh one for the next wait.
        self._wake.set()
        self._wake = asyncio.Event()

    def tail(self, lines: int | None = None, since: float | None = None) -> list[LogLine]:
        """The last `lines` lines (all kept ones if None) written at or after Unix time `since`."""
        kept = [line for line in self._lines if since is None or line.at >= since]
        return kept[-lines:] if lines is not None else kept

    async def follow(self, after_seq: int) -> AsyncIterator[list[LogLine] | Gap]:
        """Batches of lines newer than `after_seq` as they are written, until the current process ends.

        Nothing to follow (no process running) ends at once, after any lines already newer than `after_seq`.
        """
        run, running = self._run, self._running
        self.followers += 1
        try:
            while True:
                # No await between these reads: the lines seen are all the process wrote before `ended`.
                wake = self._wake
                ended = not running or self._run != run or not self._running
                fresh = [line for line in self._lines if line.seq > after_seq]
                if fresh:
                    if fresh[0].seq > after_seq + 1:
                        yield Gap(fresh[0].seq - after_seq - 1)
                    after_seq = fresh[-1].seq
                    yield fresh
                if ended:
                    return
                await wake.wait()
        finally:
            self.followers -= 1
