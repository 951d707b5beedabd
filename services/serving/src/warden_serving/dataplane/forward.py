"""Send a V2 request to a ready replica of a predictor over pooled keep-alive connections; map failures to clear errors.

A replica that cannot be reached (killed, restarting) is skipped and the call goes to the next ready one; with
none left the answer is a 503 saying so. Model errors are the caller's input problem as far as MLServer can tell
(it answers 400 for what it rejects and 500 when the model raises on the input), so both become a 422 with reason.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any

from warden_common.errors import ServiceUnavailable, Unprocessable, WardenError
from warden_common.http1 import Http1Pool, UpstreamResponse, UpstreamUnreachable
from warden_common.urls import build_path
from warden_serving.dataplane.metrics import RequestMetrics
from warden_serving.runtime.port import RoutedPredictor

logger = logging.getLogger(__name__)


class GatewayTimeout(WardenError):
    status_code = 504
    code = "model_timeout"


class ModelRejected(Unprocessable):
    code = "model_rejected_input"


class Forwarder:
    def __init__(self, pool: Http1Pool, timeout_s: float) -> None:
        self._pool = pool
        self._timeout = timeout_s

    async def infer(self, target: RoutedPredictor, request: dict[str, Any]) -> dict[str, Any]:
        return parse_answer(await self.send(target, encode(request)), target.plan.name)

    async def send(
        self, target: RoutedPredictor, body: bytes, namespace: str = "", deployment: str = "", *, observed: bool = True
    ) -> bytes:
        """POST a V2 request body as is; the body of the model's 200 answer, untouched. Each answer a model server
        gives is observed in `seldon_api_executor_client_requests_seconds` (of `namespace`/`deployment`), unless
        not `observed` (an explainer's call)."""
        endpoint, name = target.endpoint, target.plan.name
        path = _infer_path(endpoint.internal_model_name)
        tried: set[str] = set()
        for _ in range(target.plan.replicas + 1):
            base = endpoint.pick()
            if base is None or base in tried:
                break
            tried.add(base)
            host, _, port = base.removeprefix("http://").rpartition(":")
            started = time.perf_counter()
            try:
                response = await self._pool.post(host, int(port), path, body, self._timeout)
            except UpstreamUnreachable as exc:
                logger.warning("predictor %s replica %s unreachable (%s); trying another", name, base, exc)
                endpoint.mark_unreachable(base)
                continue
            except TimeoutError as exc:
                raise GatewayTimeout(f"predictor {name!r} did not answer within {self._timeout:.0f}s") from exc
            plan = target.plan
            if observed:
                RequestMetrics.called_model(
                    namespace, deployment, name, plan.model_name, plan.implementation, response.status,
                    time.perf_counter() - started,
                )  # fmt: skip
            return _checked(response, name)
        hint = endpoint.last_error()
        raise ServiceUnavailable(
            f"predictor {name!r} has no ready model server right now (it may be starting or restarting)"
            + (f"; last error: {hint}" if hint else ""),
            code="predictor_unavailable",
        )


@functools.lru_cache(maxsize=1024)
def _infer_path(model: str) -> str:
    # Model names come from deployment specs; encoded like every other internal path (cached: hot path).
    return build_path("/v2/models/{model}/infer", model=model)


def encode(request: dict[str, Any]) -> bytes:
    return json.dumps(request, separators=(",", ":")).encode()


def parse_answer(raw: bytes, predictor: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise WardenError(f"predictor {predictor!r} answered with invalid JSON", status_code=502) from exc
    if not isinstance(parsed, dict):
        raise WardenError(f"predictor {predictor!r} answered with a non-object", status_code=502)
    return parsed


def _checked(response: UpstreamResponse, predictor: str) -> bytes:
    if response.status == 200:
        return response.body
    detail = _error_text(response)
    if response.status < 500:
        raise ModelRejected(f"the model rejected the request: {detail}")
    raise ModelRejected(
        f"the model failed on this input (model server answered {response.status}: {detail}); "
        "check the shape and types of the input"
    )


def _error_text(response: UpstreamResponse) -> str:
    try:
        body = json.loads(response.body)
    except ValueError:
        return response.body[:300].decode(errors="replace") or f"HTTP {response.status}"
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:500]
    return str(body)[:300]
