"""A job's requests to its deployment's data plane (the serving service: in-process in standalone, over HTTP in
distributed mode at WARDEN_BATCH_UPSTREAMS__SERVING; no user token needed), with retries of transient failures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from warden_common.errors import ServiceUnavailable
from warden_common.upstreams import Upstreams
from warden_common.urls import build_path

ROUTES = {"predict": "/seldon/{namespace}/{name}/api/v1.0/predictions",
          "feedback": "/seldon/{namespace}/{name}/api/v1.0/feedback"}  # fmt: skip


class RequestFailed(Exception):
    """A request that failed for good (a 4xx, or still failing after its retries): the reason, as answered."""


class DeploymentMissing(Exception):
    """The data plane does not know the deployment (404): every line would fail, so the job fails."""


def _reason(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        body = None
    message = None
    if isinstance(body, dict):
        status = body.get("status")
        message = body.get("message") or (status.get("reason") if isinstance(status, dict) else None)
    return f"the data plane answered {answer.status_code}: {message or answer.text[:500]}"


class DataPlane:
    def __init__(
        self, upstreams: Upstreams, namespace: str, name: str, method: str, retries: int, timeout_s: float
    ) -> None:
        self._upstreams = upstreams
        self._path = build_path(ROUTES[method], namespace=namespace, name=name)
        self._retries = retries
        self._timeout = timeout_s

    async def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """The answer to `body`; `RequestFailed` with the real error, `DeploymentMissing` on a 404."""
        reason, missing = "", False
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(min(0.1 * 2 ** (attempt - 1), 2.0))
            try:
                answer = await self._upstreams.send("serving", "POST", self._path, json=body, timeout=self._timeout)
            except (ServiceUnavailable, httpx.TimeoutException, httpx.TransportError) as exc:
                reason, missing = f"the data plane could not be reached: {exc}", False
                continue
            if answer.status_code == 200:
                try:
                    reply = answer.json()
                except ValueError:
                    raise RequestFailed(f"the data plane answered 200 without JSON: {answer.text[:300]}") from None
                if not isinstance(reply, dict):
                    raise RequestFailed(f"the data plane answered 200 with a JSON {type(reply).__name__}")
                return reply
            reason = _reason(answer)
            missing = answer.status_code == 404  # retried: a deployment being restarted is not running for a moment
            if answer.status_code < 500 and answer.status_code not in (404, 429):
                raise RequestFailed(reason)
        attempts = self._retries + 1
        reason = f"{reason} (after {attempts} attempt{'s' if attempts > 1 else ''})"
        raise DeploymentMissing(reason) if missing else RequestFailed(reason)
