"""Send a V2 request to a ready replica of a predictor over the shared keep-alive client; map failures to clear errors.

A replica that cannot be reached (killed, restarting) is skipped and the call goes to the next ready one; with
none left the answer is a 503 saying so. Model errors are the caller's input problem as far as MLServer can tell
(it answers 400 for what it rejects and 500 when the model raises on the input), so both become a 422 with reason.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from warden_common.errors import ServiceUnavailable, Unprocessable, WardenError
from warden_serving.runtime.port import RoutedPredictor

logger = logging.getLogger(__name__)

_JSON = {"content-type": "application/json"}


class GatewayTimeout(WardenError):
    status_code = 504
    code = "model_timeout"


class ModelRejected(Unprocessable):
    code = "model_rejected_input"


class Forwarder:
    def __init__(self, client: httpx.AsyncClient, timeout_s: float) -> None:
        self._client = client
        self._timeout = timeout_s

    async def infer(self, target: RoutedPredictor, request: dict[str, Any]) -> dict[str, Any]:
        endpoint, name = target.endpoint, target.plan.name
        body = json.dumps(request, separators=(",", ":")).encode()
        tried: set[str] = set()
        for _ in range(target.plan.replicas + 1):
            base = endpoint.pick()
            if base is None or base in tried:
                break
            tried.add(base)
            url = f"{base}/v2/models/{endpoint.internal_model_name}/infer"
            try:
                response = await self._client.post(url, content=body, headers=_JSON, timeout=self._timeout)
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                logger.warning("predictor %s replica %s unreachable (%s); trying another", name, base, exc)
                endpoint.mark_unreachable(base)
                continue
            except httpx.TimeoutException as exc:
                raise GatewayTimeout(f"predictor {name!r} did not answer within {self._timeout:.0f}s") from exc
            return _result(response, name)
        hint = endpoint.last_error()
        raise ServiceUnavailable(
            f"predictor {name!r} has no ready model server right now (it may be starting or restarting)"
            + (f"; last error: {hint}" if hint else ""),
            code="predictor_unavailable",
        )


def _result(response: httpx.Response, predictor: str) -> dict[str, Any]:
    if response.status_code == 200:
        try:
            parsed = response.json()
        except ValueError as exc:
            raise WardenError(f"predictor {predictor!r} answered with invalid JSON", status_code=502) from exc
        if not isinstance(parsed, dict):
            raise WardenError(f"predictor {predictor!r} answered with a non-object", status_code=502)
        return parsed
    detail = _error_text(response)
    if response.status_code < 500:
        raise ModelRejected(f"the model rejected the request: {detail}")
    raise ModelRejected(
        f"the model failed on this input (model server answered {response.status_code}: {detail}); "
        "check the shape and types of the input"
    )


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:500]
    return str(body)[:300]
