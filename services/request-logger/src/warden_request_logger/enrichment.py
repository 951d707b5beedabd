"""The running deployment's prediction schema, from the metadata service, cached.

Lookup as the original logger did: the runtime table says which model URI runs in (namespace, deployment,
predictor, node); the model's catalog entry holds the prediction schema. Found schemas are cached for
`ttl_s`, absences for `miss_ttl_s`, and a metadata service that is away or slow for `error_ttl_s` - logging
never waits on it for more than `timeout_s` and never fails because of it (the instance is then stored with
the payload's own names). `invalidate()` (on `warden.models` / `warden.deployments` events) drops everything.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from warden_common.errors import WardenError
from warden_request_logger.schema import PredictionSchema

logger = logging.getLogger(__name__)

RUNTIME_PATH = "/api/v1alpha1/model/metadata/runtime"
MODELS_PATH = "/api/v1alpha1/model/metadata"

CacheKey = tuple[str, str, str, str]
LookupTask = asyncio.Task[tuple[PredictionSchema | None, float]]


class SchemaLookup:
    """Prediction schemas by (namespace, deployment, predictor, node), through the metadata service's API."""

    def __init__(
        self,
        client: Callable[[], httpx.AsyncClient],
        *,
        ttl_s: float = 300.0,
        miss_ttl_s: float = 30.0,
        error_ttl_s: float = 10.0,
        timeout_s: float = 2.0,
    ) -> None:
        self._client = client
        self._ttl_s, self._miss_ttl_s, self._error_ttl_s = ttl_s, miss_ttl_s, error_ttl_s
        self._timeout_s = timeout_s
        self._cache: dict[CacheKey, tuple[float, PredictionSchema | None]] = {}
        self._inflight: dict[CacheKey, LookupTask] = {}
        self._generation = 0

    def invalidate(self) -> None:
        self._generation += 1
        self._cache.clear()

    async def schema_for(self, namespace: str, deployment: str, predictor: str, node: str) -> PredictionSchema | None:
        key = (namespace, deployment, predictor, node)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        task = self._inflight.get(key)
        if task is None:  # one lookup per key at a time, however many events wait for it
            task = asyncio.create_task(self._lookup(key))
            self._inflight[key] = task
            task.add_done_callback(functools.partial(self._remember, key, self._generation))
        schema, _ = await asyncio.shield(task)
        return schema

    def _remember(self, key: CacheKey, generation: int, task: LookupTask) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None or generation != self._generation:
            return  # an invalidation happened meanwhile: the answer may be stale, ask again next time
        schema, ttl = task.result()
        self._cache[key] = (time.monotonic() + ttl, schema)

    async def _lookup(self, key: CacheKey) -> tuple[PredictionSchema | None, float]:
        try:
            async with asyncio.timeout(self._timeout_s):
                raw = await self._fetch(*key)
        except (httpx.HTTPError, TimeoutError, WardenError, ValueError, KeyError, TypeError) as exc:
            logger.warning("prediction schema of %s/%s unavailable, logging without it: %r", key[0], key[1], exc)
            return None, self._error_ttl_s
        if not raw:
            return None, self._miss_ttl_s
        schema = PredictionSchema.parse(raw)
        return (None, self._miss_ttl_s) if schema.is_empty else (schema, self._ttl_s)

    async def _fetch(self, namespace: str, deployment: str, predictor: str, node: str) -> dict[str, Any] | None:
        client = self._client()
        answer = await client.get(RUNTIME_PATH, params={"DeploymentName": deployment, "DeploymentNamespace": namespace})
        answer.raise_for_status()
        entry = _pick(answer.json().get("runtimeMetadata") or [], predictor, node)
        if entry is None:
            return None
        model = entry.get("model") if isinstance(entry.get("model"), dict) else None
        if model is None or not _schema_of(model):
            uri = entry.get("modelUri")
            if not uri:
                return None
            models = await client.get(MODELS_PATH, params={"URI": uri})
            models.raise_for_status()
            found = models.json().get("models") or []
            model = found[0] if found else None
        return _schema_of(model) if model else None


def _pick(entries: list[dict[str, Any]], predictor: str, node: str) -> dict[str, Any] | None:
    """The entry of this predictor and node, else of this predictor, else the only/first one."""
    for wanted in (
        lambda e: e.get("predictorName") == predictor and e.get("nodeName") == node,
        lambda e: e.get("predictorName") == predictor,
        lambda e: True,
    ):
        for entry in entries:
            if isinstance(entry, dict) and wanted(entry):
                return entry
    return None


def _schema_of(model: dict[str, Any]) -> dict[str, Any] | None:
    schema = model.get("predictionSchema") or model.get("prediction_schema")
    return schema if isinstance(schema, dict) else None
