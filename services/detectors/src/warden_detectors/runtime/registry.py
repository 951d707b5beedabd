"""The live detectors of this process, by deployment: loaded in the background, followed from the stored configs.

Loading fetches artifacts and builds the detector (alibi-detect imports and fits in worker threads), so the event
loop stays responsive. A detector that fails to load is kept, Failed with the reason: its status shows it and
the events it should have handled are dead-lettered, while every other detector keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from warden_detectors.configs.model import DeploymentRef, DetectorKey, StoredDetector
from warden_detectors.configs.wire import DetectorStatus
from warden_detectors.runtime.artifacts import ArtifactFetcher
from warden_detectors.runtime.kinds import DetectorKind, KindRegistry, LiveDetector, Reads
from warden_detectors.runtime.status import StatusTracker

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class LiveEntry:
    """One configured detector: its config, kind, status and (once loaded) the live detector."""

    stored: StoredDetector
    kind: DetectorKind
    status: StatusTracker = field(default_factory=StatusTracker)
    detector: LiveDetector | None = None
    loading: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while the detector handles a batch or a tick: a detector is never called by two tasks at once."""

    async def ready(self) -> LiveDetector | None:
        """The live detector once loading is over (None if it failed): events wait for a loading detector."""
        if self.loading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self.loading)
        return self.detector


class LiveRegistry:
    def __init__(self, kinds: KindRegistry, fetcher: ArtifactFetcher) -> None:
        self._kinds = kinds
        self._fetcher = fetcher
        self._entries: dict[DetectorKey, LiveEntry] = {}
        self._by_deployment: dict[DeploymentRef, list[LiveEntry]] = {}
        self.version = 0
        """Counts the changes made here (put / remove): a refresh read before a change must not undo it."""

    def status(self, key: DetectorKey) -> DetectorStatus:
        entry = self._entries.get(key)
        if entry is None:  # stored by another replica moments ago: this one loads it at its next refresh
            return StatusTracker().public()
        return entry.status.public()

    def entries(self) -> list[LiveEntry]:
        return list(self._entries.values())

    def for_deployment(self, deployment: DeploymentRef, reads: Reads) -> list[LiveEntry]:
        return [e for e in self._by_deployment.get(deployment, ()) if e.kind.reads == reads]

    def has_deployment(self, deployment: DeploymentRef) -> bool:
        return deployment in self._by_deployment

    def put(self, stored: StoredDetector) -> None:
        """Start (re)loading `stored` unless the same version is already there."""
        current = self._entries.get(stored.key)
        if current is not None and current.stored.updated_at == stored.updated_at:
            return
        kind = self._kinds.get(stored.key.kind)
        if kind is None:
            logger.warning("%s: no such detector kind in this service (%s)", stored.key, self._kinds.names())
            return
        self.remove(stored.key)
        self.version += 1
        entry = LiveEntry(stored, kind)
        entry.loading = asyncio.create_task(self._load(entry), name=f"load {stored.key}")
        self._entries[stored.key] = entry
        self._by_deployment.setdefault(stored.key.deployment, []).append(entry)

    def remove(self, key: DetectorKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.version += 1
        if entry.loading is not None:
            entry.loading.cancel()
        siblings = [e for e in self._by_deployment.get(key.deployment, ()) if e is not entry]
        if siblings:
            self._by_deployment[key.deployment] = siblings
        else:
            self._by_deployment.pop(key.deployment, None)

    def sync(self, stored: Sequence[StoredDetector], read_at_version: int) -> bool:
        """Follow the stored configs: load new or changed detectors, drop deleted ones. Skipped (False) when this
        process changed a detector since `stored` was read (`read_at_version`): the next refresh reads it anew."""
        if read_at_version != self.version:
            return False
        wanted = {s.key: s for s in stored}
        for key in [k for k in self._entries if k not in wanted]:  # deleted through another replica
            self._entries[key].kind.drop_series(key)
            self.remove(key)
        for detector in wanted.values():
            self.put(detector)
        self.version = read_at_version  # changes that follow the database are not changes made here
        return True

    async def close(self) -> None:
        tasks = [e.loading for e in self._entries.values() if e.loading is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._entries.clear()
        self._by_deployment.clear()

    async def _load(self, entry: LiveEntry) -> None:
        try:
            inputs = await self._fetcher.inputs_for(entry.stored)
            entry.detector = await entry.kind.build(entry.stored, inputs)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure to load is the detector's, reported on its status
            reason = f"{type(exc).__name__}: {exc}"
            logger.warning("%s failed to load: %s", entry.stored.key, reason)
            entry.status.failed(reason)
        else:
            entry.status.loaded()
            logger.info("%s loaded", entry.stored.key)
        finally:
            entry.loading = None
