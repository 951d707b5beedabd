"""Base classes of event payload models: lenient for formats peers define, strict for Warden's own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PeerPayload(BaseModel):
    """A payload shape defined by another system (Seldon Core executor, KServe, alibi-detect server).

    Unknown fields are accepted and kept (`extra="allow"`): real executors and detectors add fields
    from version to version, and rejecting their traffic would lose predictions. Keeping the extras
    means re-encoding a decoded payload loses nothing either.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        protected_namespaces=(),
    )


class WardenPayload(BaseModel):
    """A payload of Warden's own events: we define it, so anything unexpected is a bug and is rejected.

    Changes are additive only (new optional fields); a breaking change is a new `.v2` type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())
