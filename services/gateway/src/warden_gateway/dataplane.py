"""The public data plane (`/seldon/{namespace}/{name}/...`) relayed to the serving service in distributed mode.

The gateway is the single public entry in both modes (auth will sit here). In standalone the serving app is
mounted at `/seldon` in the same process (composition.py) and these routes are never reached; in distributed mode
each call goes to `WARDEN_GATEWAY_UPSTREAMS__SERVING` over `warden_common.http1` (httpx would cost ~1.6 ms of CPU
per call). Only the data plane's own methods (GET, POST) under `/seldon/` are relayed, with the headers the data
plane reads; the answer's status, body, `Content-Type` and `Seldon-Puid` come back as they are. Bodies are bounded
by the app's `BodyLimitMiddleware` (the same `body_limits` as the serving service's), so they are read whole.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import AnyHttpUrl

from warden_common import bodies
from warden_common.errors import BadRequest, ServiceUnavailable, Unprocessable, WardenError
from warden_common.http1 import Http1Pool, UpstreamUnreachable
from warden_common.names import dns1123_label_problem
from warden_common.urls import build_path

SERVING = "serving"
PUID_HEADER = "Seldon-Puid"

FORWARDED_REQUEST_HEADERS = (
    "content-type", "seldon-puid", "seldon-skip-logging", "inference-header-content-length", "x-warden-loadtest",
)  # fmt: skip
"""What the serving data plane reads from a request; nothing else (cookies, credentials) leaves the gateway."""
RELAYED_RESPONSE_HEADERS = ("content-type", "seldon-puid", "x-warden-endpoint")

_SEGMENT = re.compile(r"^[A-Za-z0-9_.:-]+$")
"""One segment after `/seldon/{ns}/{name}/`: protocol words, model names and versions, `:predict`."""


class GatewayTimeout(WardenError):
    status_code = 504
    code = "upstream_timeout"


def _refused(where: str, problem: str) -> Unprocessable:
    """The same 422 as a typed path parameter gets elsewhere (`warden_common.errors.unprocessable`)."""
    return Unprocessable(f"invalid request: {where}: {problem}", details=[{"loc": where, "msg": problem}])


def checked_path(namespace: str, name: str, rest: str) -> str:
    """The serving service's path for a public data-plane call; a 422 naming the part that is not valid."""
    for where, value in (("path.namespace", namespace), ("path.name", name)):
        if problem := dns1123_label_problem(value):
            raise _refused(where, problem)
    segments = rest.split("/")
    for segment in segments:
        if not _SEGMENT.match(segment) or segment in (".", ".."):
            raise _refused("path", f"segment {segment!r} must be letters, digits, '_', '.', ':' or '-'")
    # The segments are checked above, so encoding changes nothing today; it keeps the URL sound if the rule widens.
    # ':' stays as it is: it is part of the TF protocol's `{model}:predict` segment.
    base = build_path("/seldon/{namespace}/{name}", namespace=namespace, name=name)
    return "/".join((base, *(quote(s, safe=":") for s in segments)))


class DataPlaneForwarder:
    """Relays data-plane calls to one serving base URL over pooled keep-alive connections."""

    def __init__(self, serving: AnyHttpUrl | None, env_var: str, timeout_s: float) -> None:
        if serving is not None and serving.scheme != "http":
            raise ValueError(f"{env_var} must be an http:// URL (the data plane is relayed over plain HTTP/1.1)")
        self._serving = serving
        self._env_var = env_var
        self._timeout_s = timeout_s
        self._pool = Http1Pool(keep_headers=RELAYED_RESPONSE_HEADERS)

    def close(self) -> None:
        self._pool.close()

    async def relay(self, request: Request) -> Response:
        params = request.path_params
        puid = request.headers.get(PUID_HEADER, "").strip()
        try:
            path = checked_path(params["namespace"], params["name"], params["rest"])
            return await self._send(request, path)
        except WardenError as exc:  # like the data plane's own errors: a Seldon-Puid to correlate with the logs
            return JSONResponse(exc.to_body(), exc.status_code, headers={PUID_HEADER: puid or str(uuid.uuid4())})

    async def _send(self, request: Request, path: str) -> Response:
        if self._serving is None:
            raise ServiceUnavailable(f"the serving service is not configured: set {self._env_var}")
        body = await bodies.read_body(request)  # a 413 (with this call's Seldon-Puid) over the limit
        headers = [(k, v) for k, v in request.headers.items() if k in FORWARDED_REQUEST_HEADERS]
        host, port = self._serving.host or "", self._serving.port or 80
        base_path = (self._serving.path or "").rstrip("/")
        try:
            answer = await self._pool.request(
                request.method, host, port, base_path + path, body, self._timeout_s, headers
            )
        except UpstreamUnreachable as exc:
            raise ServiceUnavailable(f"the serving service at {self._serving} cannot be reached: {exc}") from exc
        except TimeoutError as exc:
            raise GatewayTimeout(
                f"the serving service at {self._serving} did not answer within {self._timeout_s:g}s"
            ) from exc
        except ValueError as exc:  # a header value the data plane would reject anyway
            raise BadRequest(f"the request cannot be relayed: {exc}") from exc
        return Response(answer.body, answer.status, headers=answer.headers)
