"""Database rows -> the SDK's JSON (V1Model, V1RuntimeMetadata)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from warden_metadata.schemas import PredictionSchema

_MODEL_FIELDS = (
    "URI",
    "name",
    "version",
    "artifactType",
    "taskType",
    "tags",
    "metrics",
    "creationTime",
    "predictionSchema",
    "project",
    "runtimeDefaults",
)


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_DOC_COLUMNS = {
    "URI": "m.uri",
    "name": "m.name",
    "version": "m.version",
    "artifactType": "m.artifact_type",
    "taskType": "m.task_type",
    "tags": "m.tags",
    "metrics": "m.metrics",
    "creationTime": """to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    "predictionSchema": "m.prediction_schema",
    "project": "m.project",
    "runtimeDefaults": "m.runtime_defaults",
}


def model_doc_sql(mask: Iterable[str] | None = None) -> str:
    """SQL (over alias `m`) rendering a catalog row as its V1Model JSON text, the same as `model_json`.

    Lists are the hot path: PostgreSQL writes each model's JSON directly, so Python neither decodes jsonb nor
    re-encodes it. Only whitelisted wire names reach the SQL text. `json_strip_nulls` drops absent fields; no
    stored value has nested nulls (prediction schemas are stored without them).
    """
    wanted = [name for name in _MODEL_FIELDS if mask is None or name in set(mask)]
    pairs = ", ".join(f"'{name}', {_DOC_COLUMNS[name]}" for name in wanted)
    return f"json_strip_nulls(json_build_object({pairs}))::text"


def stored_prediction_schema(schema: PredictionSchema) -> dict[str, Any]:
    """The schema exactly as it goes out on the wire (int64 as strings, both lists present), ready to store."""
    dumped = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _prediction_schema(dumped)


def _feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(feature)
    if "nCategories" in out:
        out["nCategories"] = str(out["nCategories"])  # int64 travels as a string (gRPC-gateway)
    if "shape" in out:
        out["shape"] = [str(dim) for dim in out["shape"]]
    return out


def _prediction_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    # The SDK refuses a schema without both lists, so both are always present.
    return {side: [_feature(f) for f in schema.get(side) or []] for side in ("requests", "responses")}


def model_json(row: Mapping[str, Any], prefix: str = "", mask: Iterable[str] | None = None) -> dict[str, Any]:
    """A catalog row as V1Model JSON; `prefix` reads joined columns (`model_name`...); `mask` keeps only those."""

    def col(name: str) -> Any:
        return row[prefix + name]

    out: dict[str, Any] = {
        "URI": col("uri_") if prefix else col("uri"),
        "artifactType": col("artifact_type"),
        "tags": col("tags") or {},
        "metrics": col("metrics") or {},
        "creationTime": timestamp(col("created_at")),
        "project": col("project"),
    }
    for key, column in (("name", "name"), ("version", "version"), ("taskType", "task_type")):
        if col(column) is not None:
            out[key] = col(column)
    if col("prediction_schema") is not None:
        out["predictionSchema"] = _prediction_schema(col("prediction_schema"))
    if col("runtime_defaults") is not None:
        out["runtimeDefaults"] = col("runtime_defaults")
    if mask:
        wanted = set(mask)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def parse_mask(list_mask: str | None, allowed: Iterable[str] = _MODEL_FIELDS) -> list[str] | None:
    """`listMask` ("name,version" or the snake_case names) -> wire field names; unknown names are ignored."""
    if not list_mask:
        return None
    by_folded = {name.lower().replace("_", ""): name for name in allowed}
    fields = [by_folded.get(part.strip().lower().replace("_", "")) for part in list_mask.split(",")]
    return [f for f in fields if f] or None


def runtime_json(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "modelUri": row["model_uri"],
        "deploymentName": row["deployment_name"],
        "deploymentNamespace": row["deployment_namespace"],
        "predictorName": row["predictor_name"],
        "nodeName": row["node_name"],
        "deploymentStatus": row["deployment_status"],
        "deploymentType": row["deployment_type"],
        "shadow": row["shadow"],
        "explainer": row["explainer"],
        "creationTime": timestamp(row["created_at"]),
    }
    if row["deployment_uid"] is not None:
        out["deploymentKubernetesUid"] = row["deployment_uid"]
    if row["traffic"] is not None:
        out["traffic"] = str(row["traffic"])
    if row["model_id"] is not None:
        out["model"] = model_json(row, prefix="model_")
    return out
