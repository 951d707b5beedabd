"""The model as alibi sees it: a plain function of a numpy batch, answered by Warden's own data plane.

alibi calls its predictor synchronously from the worker thread an explanation runs in; each call is handed to the
event loop (`run_coroutine_threadsafe`), which sends it to the serving service (in-process in standalone, over HTTP
in distributed mode: no user token needed) with `Seldon-Skip-Logging: true` and `X-Warden-Explainer: true`, so
explanation traffic is neither logged nor counted in the deployment's request metrics, nor mirrored to its shadows.
A deadline is checked before every call, so a timed-out explanation stops at its next model call.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from warden_common.errors import WardenError
from warden_common.events.inference import EXPLAINER_HEADER
from warden_common.upstreams import Upstreams
from warden_common.urls import build_path

SKIP_LOGGING = {"Seldon-Skip-Logging": "true", EXPLAINER_HEADER: "true"}
PREDICTIONS_PATH = "/seldon/{namespace}/{name}/api/v1.0/predictions"


class ExplanationTimeout(WardenError):
    status_code = 504
    code = "explanation_timeout"


class ModelCallFailed(WardenError):
    status_code = 502
    code = "explanation_model_error"


class DataPlaneModel:
    """`model(batch) -> probabilities` for one deployment (Seldon protocol: `data.ndarray` in and out)."""

    def __init__(
        self, upstreams: Upstreams, loop: asyncio.AbstractEventLoop, namespace: str, name: str, call_timeout_s: float
    ) -> None:
        self._upstreams = upstreams
        self._loop = loop
        self._path = build_path(PREDICTIONS_PATH, namespace=namespace, name=name)
        self._where = f"{namespace}/{name}"
        self._call_timeout_s = call_timeout_s
        self.deadline: float | None = None
        """`time.monotonic()` after which calls fail with `ExplanationTimeout` (set per explanation)."""
        self.calls = 0

    def __call__(self, batch: Any) -> np.ndarray[Any, Any]:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ExplanationTimeout("the explanation took longer than its timeout and was stopped")
        if self._loop.is_closed():
            raise ModelCallFailed("the service is stopping")
        rows = batch.tolist() if isinstance(batch, np.ndarray) else list(batch)
        future = asyncio.run_coroutine_threadsafe(self._predict(rows), self._loop)
        try:
            result = future.result(timeout=self._call_timeout_s)
        except TimeoutError:
            future.cancel()
            raise ModelCallFailed(f"the model of {self._where} did not answer within {self._call_timeout_s}s") from None
        self.calls += 1
        return result

    async def _predict(self, rows: list[Any]) -> np.ndarray[Any, Any]:
        body = {"data": {"ndarray": rows}}
        answer = await self._upstreams.send("serving", "POST", self._path, json=body, headers=SKIP_LOGGING)
        try:
            reply = answer.json()
        except ValueError:
            reply = None
        if answer.status_code != 200 or not isinstance(reply, dict):
            message = reply.get("message") if isinstance(reply, dict) else answer.text[:300]
            raise ModelCallFailed(f"the model of {self._where} answered {answer.status_code}: {message}")
        return _output(reply, self._where)


def _output(reply: dict[str, Any], where: str) -> np.ndarray[Any, Any]:
    data = reply.get("data")
    if isinstance(data, dict) and "ndarray" in data:
        return np.asarray(data["ndarray"])
    if isinstance(data, dict) and isinstance(data.get("tensor"), dict):
        tensor = data["tensor"]
        return np.asarray(tensor.get("values"), dtype=float).reshape(tensor.get("shape"))
    raise ModelCallFailed(f"the model of {where} answered without data.ndarray or data.tensor: keys {sorted(reply)}")
