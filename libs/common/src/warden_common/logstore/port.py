"""The request-log store port: what both adapters (OpenSearch, PostgreSQL JSONB) promise.

Documents: one per predicted instance, keyed by (namespace, deployment, document id). A write is a *part* of a
document (the request, the response, feedback, an outlier or drift result) plus the fields every part repeats
(request id, endpoint, ...). Parts are merged into the stored document by upsert, so they may arrive in any
order and any number of times: writing the same part again leaves the document as it was (idempotent).
Raw payloads of multi-instance requests are stored once per (request id, part) beside the instance documents.

Writes: `write` stores a batch and reports, per item, what it could not store for good (a mapping conflict, a
document the store refuses); those are for the caller to dead-letter. Transient trouble (store down, 429, 5xx)
is retried inside the adapter with backoff and, if it persists, raised as `LogStoreUnavailable` - nothing of the
batch may be assumed stored then, and the caller retries the batch (upserts make that safe).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from warden_common.errors import ServiceUnavailable

if TYPE_CHECKING:
    from warden_common.logstore.distributions import DistributionQuery, DistributionResult

PART_NAMES = ("request", "response", "feedback", "outlier", "drift")
"""The parts a document may hold, each under its own top-level key."""

PartName = Literal["request", "response", "feedback", "outlier", "drift"]


class LogStoreUnavailable(ServiceUnavailable):
    """The store could not take the batch (down, overloaded) even after the adapter's retries."""


@dataclass(frozen=True)
class DeploymentRef:
    """Where a document lives: the store partitions by namespace and deployment (never a joined string)."""

    namespace: str
    deployment: str


@dataclass(slots=True)
class InstanceWrite:
    """Merge `fields` into document `doc_id` of `ref` (created if absent).

    `fields` holds top-level keys only; a part (e.g. `"request": {...}`) replaces that part of the document.
    Treat it as immutable; it is not frozen only because the logger makes one per instance part and a frozen
    dataclass costs about three times as much to construct.
    """

    ref: DeploymentRef
    doc_id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class PayloadWrite:
    """The raw payload of one part of one request, stored once however many instances it holds.

    `payload` is the decoded JSON (or base64 text of a binary body); `None` with `rejected_reason` set when the
    payload was not stored (e.g. larger than the store accepts) - the record says so instead of vanishing.
    """

    ref: DeploymentRef
    request_id: str
    part: PartName
    payload: Any
    content_type: str | None = None
    size_bytes: int = 0
    rejected_reason: str | None = None

    @property
    def doc_id(self) -> str:
        return f"{self.request_id}/{self.part}"


LogWrite = InstanceWrite | PayloadWrite


@dataclass(frozen=True)
class ItemRejected:
    """An item of a `write` batch the store refused for good (retrying cannot help)."""

    position: int
    reason: str
    status: int | None = None


@dataclass(frozen=True)
class FeatureFilter:
    """A condition on one named element of a part: `op` is eq, ne, gt, gte, lt or lte."""

    name: str
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte"]
    value: str | float | bool
    part: Literal["request", "response"] = "request"


SortOrder = Literal["asc", "desc"]


@dataclass(frozen=True)
class DeploymentLife:
    """One life of a deployment name: from a create to its delete (a recreate under the same name is a new life).

    A document belongs to it when it carries its `uid` (events of Warden's own serving runtime say which life
    served them); a document that carries no uid (events of an external executor) when it was logged at or
    after `created`. Without `created` only documents carrying the uid match.
    """

    uid: str
    created: datetime | None = None


@dataclass(frozen=True)
class LogQuery:
    """A search over logged instances. `namespace`/`deployment` None means every one the store holds."""

    namespace: str | None = None
    deployment: str | None = None
    endpoint: str | None = None
    request_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    outliers_only: bool = False
    features: Sequence[FeatureFilter] = ()
    page_size: int = 20
    page_token: str | None = None
    sort: SortOrder = "desc"
    life: DeploymentLife | None = None
    """Only the documents of this life of the deployment; None: every life."""


@dataclass(frozen=True)
class LogHit:
    """One instance document as stored, plus the raw payloads of its request's parts."""

    ref: DeploymentRef
    doc_id: str
    document: Mapping[str, Any]
    payloads: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogPage:
    hits: Sequence[LogHit]
    total: int
    next_page_token: str | None = None


@runtime_checkable
class LogStore(Protocol):
    """Stores instance documents and raw payloads; searches them."""

    async def start(self) -> None:
        """Connect and create what the store needs (templates / tables). Call once before anything else."""
        ...

    async def close(self) -> None: ...

    async def ready(self) -> bool:
        """True while the store answers (used by /health/ready)."""
        ...

    async def write(self, items: Sequence[LogWrite]) -> list[ItemRejected]:
        """Store `items`; return those refused for good. Raises `LogStoreUnavailable` if the store is away."""
        ...

    async def search(self, query: LogQuery) -> LogPage:
        """Instances matching `query`, one page, with their payloads. `BadRequest` for a bad page token."""
        ...

    async def distribution(self, query: DistributionQuery) -> DistributionResult:
        """Aggregates of one element over the instances `query` selects, computed in the store."""
        ...

    async def refresh(self) -> None:
        """Make everything written so far searchable now (tests and benchmarks; writes never wait for it)."""
        ...
