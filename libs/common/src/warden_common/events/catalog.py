"""Warden's model catalog events (topic `warden.models`), published by the metadata service.

Fields follow the catalog's model metadata (protocols.md §8: URI, name, version, artifactType,
taskType, tags, metrics, predictionSchema, project), in snake case like every Warden event.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from warden_common.events._base import WardenPayload
from warden_common.events.registry import EventSpec

MODEL_REGISTERED = "io.warden.model.registered.v1"
MODEL_UPDATED = "io.warden.model.updated.v1"
MODEL_DELETED = "io.warden.model.deleted.v1"


class _ModelRef(WardenPayload):
    uri: str = Field(min_length=1, description="Where the model artefact lives; the catalog key with `project`.")
    project: str = Field(min_length=1)


class ModelRegistered(_ModelRef):
    name: str | None = None
    version: str | None = None
    artifact_type: str | None = None
    task_type: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    prediction_schema: dict[str, Any] | None = None
    actor: str | None = None


class ModelUpdated(_ModelRef):
    """The catalog entry after the change, plus which fields changed."""

    name: str | None = None
    version: str | None = None
    artifact_type: str | None = None
    task_type: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    prediction_schema: dict[str, Any] | None = None
    changed_fields: list[str] = Field(default_factory=list)
    actor: str | None = None


class ModelDeleted(_ModelRef):
    actor: str | None = None


SPECS = (
    EventSpec(MODEL_REGISTERED, ModelRegistered, "A model was added to the catalog."),
    EventSpec(MODEL_UPDATED, ModelUpdated, "A catalog entry was changed."),
    EventSpec(MODEL_DELETED, ModelDeleted, "A model was removed from the catalog."),
)
