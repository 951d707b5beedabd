"""The prediction a feedback is about, read from the request log when the feedback carries no `response`.

The request logger stores one document per instance of a request, keyed by its request id (the Seldon PUID, a
feedback event's `Ce-Requestid`), with the response's row under `response.instance.value` and the batch size under
`response.batchSize` (`warden_common.logstore.document`). `logged_response` reads those documents through the
`LogStore` port (OpenSearch or PostgreSQL, whichever the platform runs) and returns the response rows in instance
order - what `FeedbackMetricsServer.counts` takes as its prediction.

The response may not be searchable yet when the feedback comes (the logger writes asynchronously; OpenSearch
makes writes visible after its refresh interval), or may never be logged. Either way the answer is
`ResponseNotLogged` saying what is missing (`final` when waiting cannot help: no request id): the runtime looks
again with backoff for a bounded time, then dead-letters the feedback with the reason; a feedback is never
dropped silently. `LogStoreUnavailable` (the store is away after the adapter's own retries) passes through.
"""

from __future__ import annotations

from typing import Any, Protocol

from warden_common.codec import Event
from warden_common.logstore import LogHit, LogQuery, LogStore
from warden_common.logstore import document as doc

_PAGE_SIZE = 500
MAX_ROWS = 10_000
"""Most instances a looked-up response may have (a larger batch's feedback should carry its response)."""


class ResponseNotLogged(Exception):
    """The response of `request_id` is not (or not yet, or not wholly) in the request log; `final` when it never
    can be (the feedback names no request)."""

    def __init__(self, request_id: str, reason: str, *, final: bool = False) -> None:
        super().__init__(f"no logged response for request {request_id!r} yet: {reason}")
        self.request_id = request_id
        self.reason = reason
        self.final = final


class ResponseTooLarge(ValueError):
    """The logged response has more instances than a lookup reads (`MAX_ROWS`)."""


async def logged_response(
    store: LogStore, *, namespace: str, deployment: str, request_id: str, endpoint: str | None = None
) -> list[Any]:
    """The rows of the logged response of `request_id` in `namespace`/`deployment` (and `endpoint`, the predictor,
    when given), in instance order; `ResponseNotLogged` when any of them is missing."""
    if not request_id:
        raise ResponseNotLogged(
            request_id, "the feedback has neither a response nor a request id (Ce-Requestid)", final=True
        )
    hits = await _instance_documents(store, namespace, deployment, request_id, endpoint)
    if not hits:
        where = f"{namespace}/{deployment}" + (f" (endpoint {endpoint})" if endpoint else "")
        raise ResponseNotLogged(request_id, f"the request log of {where} holds no instance of it")
    by_item: dict[int, Any] = {}
    expected = 0
    for hit in hits:
        response = hit.document.get("response")
        if not isinstance(response, dict):
            continue  # this instance's request (or feedback) is logged but its response is not, yet
        instance = response.get("instance")
        if not isinstance(instance, dict) or "value" not in instance:
            continue
        item = hit.document.get(doc.ITEM_INDEX, 0)
        by_item[int(item)] = instance["value"]
        expected = max(expected, int(response.get("batchSize") or 1))
    if not by_item:
        raise ResponseNotLogged(request_id, f"{len(hits)} instance(s) logged, none with its response")
    missing = sorted(set(range(expected)) - set(by_item))
    if missing:
        shown = ", ".join(str(i) for i in missing[:10]) + (", ..." if len(missing) > 10 else "")
        raise ResponseNotLogged(request_id, f"the response has {expected} instances; instance(s) {shown} not logged")
    return [by_item[i] for i in range(expected)]


async def _instance_documents(
    store: LogStore, namespace: str, deployment: str, request_id: str, endpoint: str | None
) -> list[LogHit]:
    hits: list[LogHit] = []
    token: str | None = None
    while True:
        page = await store.search(
            LogQuery(namespace=namespace, deployment=deployment, endpoint=endpoint, request_id=request_id,
                     page_size=_PAGE_SIZE, page_token=token, sort="asc")
        )  # fmt: skip
        hits.extend(page.hits)
        if len(hits) > MAX_ROWS:
            raise ResponseTooLarge(
                f"request {request_id!r} has over {MAX_ROWS} logged instances: send its feedback with the response"
            )
        token = page.next_page_token
        if token is None or not page.hits:
            return hits


class _Deployment(Protocol):
    @property
    def namespace(self) -> str: ...
    @property
    def name(self) -> str: ...


class _Key(Protocol):
    @property
    def deployment(self) -> _Deployment: ...
    @property
    def name(self) -> str: ...


class _Detector(Protocol):
    @property
    def key(self) -> _Key: ...


class LogStoreLookup:
    """`lookup(detector, feedback_event)` as the runtime's `FeedbackKind` calls it: the response rows logged for the
    event's request id (`Ce-Requestid`) and endpoint in the detector's deployment; `ResponseNotLogged` when they
    are not (yet) logged, which the runtime retries for a while before it dead-letters the feedback."""

    def __init__(self, store: LogStore) -> None:
        self.store = store

    async def __call__(self, detector: _Detector, event: Event) -> list[Any]:
        deployment = detector.key.deployment
        request_id = event.get_extension("requestid")
        endpoint = event.get_extension("endpoint")
        return await logged_response(
            self.store,
            namespace=deployment.namespace,
            deployment=deployment.name,
            request_id=str(request_id) if request_id else "",
            endpoint=str(endpoint) if endpoint else None,
        )
