"""`POST /`: CloudEvents from executors, KServe loggers and detectors (binary or structured mode).

Answers 200 only once the event's documents are stored; a bad event gets a 4xx naming the problem (never a
silent 200), a store that is away a 503 (the sender may retry; writes are idempotent). With an ingest token set,
a caller without it gets a 401 before the body is read (`deps.check_ingest_caller`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from warden_common import bodies
from warden_common.api_docs import error_responses
from warden_common.codec import decode_http
from warden_common.errors import BadRequest
from warden_common.events.inference import correlation_id
from warden_request_logger.api.deps import LoggerService, Settings, check_ingest_caller
from warden_request_logger.api.docs import EVENT_BODY, LOGGED, REFUSED

router = APIRouter(tags=["ingestion"])


@router.post(
    "/",
    summary="Log one CloudEvent (request, response, feedback, outlier or drift)",
    openapi_extra=EVENT_BODY,
    responses={200: LOGGED, 401: REFUSED, **error_responses(400, 413, 415, 503)},
    dependencies=[Depends(check_ingest_caller)],
)
async def ingest(request: Request, service: LoggerService, settings: Settings) -> dict[str, Any]:
    body = await bodies.read_body(request)
    limits = settings.body_limits
    if bodies.is_json_media_type(request.headers.get("content-type")):
        bodies.check_json_shape(body, limits, what="the event")
    event = decode_http(request.headers, body, max_body_bytes=limits.max_bytes)
    rejected = await service.ingest([event])
    if rejected:
        reason = rejected[0]
        raise BadRequest(str(reason), details={"type": event.get_type(), "id": event.get_id()})
    return {"status": "logged", "requestId": correlation_id(event)}
