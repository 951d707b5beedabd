"""The replicas serving one predictor's model: one model folder, `replicas` MLServer processes, round-robin picks."""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from warden_common.errors import WardenError
from warden_common.objectstore import ObjectStoreSettings
from warden_serving.runtime.model_repo import ModelServerMismatch, prepare_model_dir
from warden_serving.runtime.port import ReplicaState
from warden_serving.runtime.process import MLServerProcess, ProcessOptions
from warden_serving.specs import PredictorPlan

logger = logging.getLogger(__name__)


class ModelGroup:
    def __init__(
        self,
        label: str,
        plan: PredictorPlan,
        root: Path,
        options: ProcessOptions,
        client: httpx.AsyncClient,
        on_change: Callable[[], None],
    ) -> None:
        self.label = label
        self.plan = plan
        self.root = root
        self.prepare_error: str | None = None
        self._on_change = on_change
        self._rr = itertools.count()
        self.replicas = [
            MLServerProcess(
                f"{label}-{i}", plan.model_name, root / "model", root / f"replica-{i}", options, client, on_change
            )
            for i in range(plan.replicas)
        ]

    @property
    def internal_model_name(self) -> str:
        return self.plan.model_name

    def pick(self) -> str | None:
        ready = [r for r in self.replicas if r.ready]
        if not ready:
            return None
        return ready[next(self._rr) % len(ready)].base_url

    def mark_unreachable(self, base_url: str) -> None:
        for replica in self.replicas:
            if replica.base_url == base_url:
                replica.mark_unreachable()

    def last_error(self) -> str | None:
        if self.prepare_error:
            return self.prepare_error
        reasons = [r.reason for r in self.replicas if r.reason]
        return reasons[-1] if reasons else None

    def ready_count(self) -> int:
        return sum(1 for r in self.replicas if r.ready)

    @property
    def failed(self) -> bool:
        return self.prepare_error is not None or all(r.state is ReplicaState.FAILED for r in self.replicas)

    @property
    def settled(self) -> bool:
        return self.failed or self.ready_count() > 0

    async def start(self, store: ObjectStoreSettings) -> None:
        try:
            await prepare_model_dir(self.plan, self.root / "model", store)
        except ModelServerMismatch as exc:
            self.prepare_error = exc.message
        except WardenError as exc:
            self.prepare_error = f"cannot fetch model {self.plan.model_uri}: {exc.message}"
        except OSError as exc:
            self.prepare_error = f"cannot fetch model {self.plan.model_uri}: {exc}"
        if self.prepare_error:
            logger.error("%s: %s", self.label, self.prepare_error)
            self._on_change()
            return
        for replica in self.replicas:
            replica.start()

    async def wait_settled(self, timeout_s: float) -> None:
        """Until a replica is ready or all failed (or the timeout: the caller reads the state either way)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self.settled and loop.time() < deadline:  # noqa: ASYNC110 - state lives in the replicas
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        await asyncio.gather(*(r.stop() for r in self.replicas), return_exceptions=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def snapshot(self) -> dict[str, Any]:
        return {
            "model_uri": self.plan.model_uri,
            "implementation": self.plan.implementation,
            "model_name": self.plan.model_name,
            "ready_replicas": self.ready_count(),
            "replicas": [r.snapshot() for r in self.replicas],
            "error": self.last_error() if self.failed else None,
        }
