"""`GET /api/v1alpha1/namespaces/{ns}/{seldondeployments|inferenceservices}/{name}/resources/logs`: the output of
one of a deployment's MLServer processes, as text, like Kubernetes' pod log API (`GET .../pods/{name}/log`) whose
parameters users know: `tailLines`, `sinceSeconds` or `sinceTime`, `timestamps`, `limitBytes`, `follow`. The
gateway serves it publicly at `{base}/resources/logs` (same permission as `{base}/resources`). Not offered:
`previous` (the buffer holds the process's earlier runs too, in order) and `container` (one process, one output).

`follow=true` answers a chunked `text/plain` stream rather than Server-Sent Events: the same body as without
follow (and as `kubectl logs -f`), readable as it comes with `curl -N` or a `fetch` ReadableStream. SSE would only
add framing here: the browser's `EventSource` cannot send the `Authorization` header, so its reconnection is of no
use, and no keep-alive comments are needed since Starlette notices a client that goes away without writing to it.
The stream ends when the process it started with ends (or is stopped) or when the client goes away.

The process is looked up by name among the deployment's own processes (`process_logs`): nothing the caller sends
ever becomes a path; lines are read from the memory buffer the supervisor fills (`runtime.logbuffer`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.responses import Response

from warden_common.api_docs import Responses, error_responses
from warden_common.errors import NotFound, Unprocessable
from warden_common.names import InferenceServiceName, NamespaceName, SeldonDeploymentName
from warden_serving.runtime.logbuffer import Gap, LogLine, ProcessLog

router = APIRouter(prefix="/api/v1alpha1", tags=["runtime"])

MAX_TAIL_LINES = 10_000
"""The most lines one answer can carry (the buffer keeps `log_tail_lines`, 1000 by default)."""
TEXT = "text/plain; charset=utf-8"
# A browser must hand the stream to the page as it comes: no sniffing (which waits for bytes) nor caching.
_STREAM_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Accel-Buffering": "no"}

_LOGS: Responses = {
    200: {
        "description": "The process's output, one line per line (with `follow=true`, a stream that goes on)",
        "content": {"text/plain": {"schema": {"type": "string"},
                                   "example": "2026-12-05T19:00:00.123456Z INFO:     Uvicorn running on ...\n"}},
    },
    # The errors are JSON like everywhere (the route's own media type, text, is only its success's).
    **{status: {"description": entry["description"],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
       for status, entry in error_responses(404, 422, 500).items()},
}  # fmt: skip
_SUMMARY = "The output of one of the deployment's MLServer processes, as text; `follow=true` streams new lines"

Process = Annotated[
    str | None,
    Query(
        max_length=253,
        description="The process's name (`?view=processes` lists them); may be left out when there is only one",
    ),
]
TailLines = Annotated[
    int | None,
    Query(alias="tailLines", ge=1, le=MAX_TAIL_LINES, description="Only the last N lines (default: all kept)"),
]
SinceSeconds = Annotated[
    int | None,
    Query(alias="sinceSeconds", ge=1, le=365 * 86_400, description="Only lines written in the last S seconds"),
]
SinceTime = Annotated[
    datetime | None,
    Query(alias="sinceTime", description="Only lines written at or after this RFC 3339 time (not with sinceSeconds)"),
]
LimitBytes = Annotated[
    int | None,
    Query(alias="limitBytes", ge=1, description="End the answer after this many bytes of output (a stream too); "
          "the last line may be cut, never inside a character"),
]  # fmt: skip
Timestamps = Annotated[bool, Query(description="Start every line with the RFC 3339 time it was written")]
Follow = Annotated[bool, Query(description="Keep the answer open and send new lines as the process writes them")]


@dataclass(frozen=True)
class LogOptions:
    """The query of a logs call (one definition for both deployment kinds' routes)."""

    process: Process = None
    tail_lines: TailLines = None
    since_seconds: SinceSeconds = None
    since_time: SinceTime = None
    limit_bytes: LimitBytes = None
    timestamps: Timestamps = False
    follow: Follow = False

    def since(self) -> float | None:
        """The Unix time lines must be written at or after, if any."""
        if self.since_seconds is not None and self.since_time is not None:
            problem = "give sinceSeconds or sinceTime, not both"
            raise Unprocessable(f"invalid request: query.sinceTime: {problem}",
                                details=[{"loc": ["query", "sinceTime"], "msg": problem}])  # fmt: skip
        if self.since_time is not None:
            at = self.since_time if self.since_time.tzinfo else self.since_time.replace(tzinfo=UTC)
            return at.timestamp()
        return time.time() - self.since_seconds if self.since_seconds is not None else None


Options = Annotated[LogOptions, Depends()]


@router.get("/namespaces/{namespace}/seldondeployments/{name}/resources/logs", summary=_SUMMARY, responses=_LOGS,
            response_class=PlainTextResponse)  # fmt: skip
async def seldon_deployment_logs(
    request: Request, namespace: NamespaceName, name: SeldonDeploymentName, options: Options
) -> Response:
    return _logs(request, namespace, name, options)


@router.get("/namespaces/{namespace}/inferenceservices/{name}/resources/logs", summary=_SUMMARY, responses=_LOGS,
            response_class=PlainTextResponse)  # fmt: skip
async def inference_service_logs(
    request: Request, namespace: NamespaceName, name: InferenceServiceName, options: Options
) -> Response:
    return _logs(request, namespace, name, options)


def _logs(request: Request, namespace: str, name: str, options: LogOptions) -> Response:
    since = options.since()
    log = find_log(request.app.state.runtime.process_logs(namespace, name), namespace, name, options.process)
    lines = log.tail(options.tail_lines, since)
    if not options.follow:
        text = "".join(format_line(line, options.timestamps) for line in lines)
        if options.limit_bytes is not None:
            text, _ = _cut(text, options.limit_bytes)
        return PlainTextResponse(text, media_type=TEXT)
    # The follower starts after the newest line now kept, not after the tail: lines cut by `tailLines` or
    # `sinceSeconds` stay cut, lines written from here on all come.
    chunks = _stream(log, lines, log.last_seq, options.timestamps)
    if options.limit_bytes is not None:
        chunks = _limited_stream(chunks, options.limit_bytes)
    return StreamingResponse(chunks, media_type=TEXT, headers=_STREAM_HEADERS)


def _cut(chunk: str, left: int) -> tuple[str, int]:
    """`chunk` cut to at most `left` UTF-8 bytes at a character boundary, and the bytes left after it."""
    encoded = chunk.encode()
    if len(encoded) <= left:
        return chunk, left - len(encoded)
    return encoded[:left].decode(errors="ignore"), 0


async def _limited_stream(chunks: AsyncGenerator[str, None], limit: int) -> AsyncGenerator[str, None]:
    """`chunks` until `limit` bytes went out; then the stream ends (and with it the follower, on close)."""
    left = limit
    try:
        async for chunk in chunks:
            piece, left = _cut(chunk, left)
            yield piece
            if left == 0:
                return
    finally:
        await chunks.aclose()


def find_log(logs: dict[str, ProcessLog] | None, namespace: str, name: str, process: str | None) -> ProcessLog:
    if logs is None:
        raise NotFound(f"deployment {namespace}/{name} has no running resources", code="deployment_not_found")
    if process is None:
        if len(logs) == 1:
            return next(iter(logs.values()))
        problem = f"the deployment has {len(logs)} processes, say which: {_names(logs)}"
        raise Unprocessable(f"invalid request: query.process: {problem}",
                            details=[{"loc": ["query", "process"], "msg": problem}])  # fmt: skip
    if process not in logs:
        raise NotFound(f"deployment {namespace}/{name} has no process {process!r}; its processes: {_names(logs)}",
                       code="process_not_found")  # fmt: skip
    return logs[process]


def _names(logs: dict[str, ProcessLog]) -> str:
    return ", ".join(sorted(logs)) or "none"


def format_line(line: LogLine, timestamps: bool) -> str:
    if not timestamps:
        return line.text + "\n"
    at = datetime.fromtimestamp(line.at, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return f"{at} {line.text}\n"


async def _stream(log: ProcessLog, first: list[LogLine], after_seq: int, timestamps: bool
                  ) -> AsyncGenerator[str, None]:  # fmt: skip
    # The tail goes out at once (even empty lines lists send the headers): the reader knows it is following.
    yield "".join(format_line(line, timestamps) for line in first)
    async for batch in log.follow(after_seq):
        if isinstance(batch, Gap):
            yield f"[warden] {batch.lost} lines were written faster than this reader took them and are left out\n"
        else:
            yield "".join(format_line(line, timestamps) for line in batch)
