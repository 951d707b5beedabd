"""One incoming event -> the log-store writes it stands for (one part per instance, plus its raw payload)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from cloudevents.core.v1.event import CloudEvent

from warden_common.logstore import DeploymentRef, InstanceWrite, LogWrite, PartName, PayloadWrite
from warden_common.logstore import document as doc
from warden_request_logger.parsing import ParsedInstance, ParsedPayload, parse_request, parse_response, unparsed
from warden_request_logger.parsing.kinds import engine_of, part_of
from warden_request_logger.schema import PredictionSchema, name_by_payload, name_columns

UNKNOWN = "unknown"
"""Namespace / deployment of events that do not say (kept and searchable rather than dropped)."""


@dataclass(frozen=True)
class EventContext:
    """What every document of one event shares."""

    part: PartName
    request_id: str
    ref: DeploymentRef
    endpoint: str
    model_id: str | None
    time: str
    common: dict[str, Any]

    @classmethod
    def of(cls, event: CloudEvent) -> EventContext:
        # Reads the extensions directly rather than through `InferenceExtensions` (a pydantic model): this runs
        # for every event and was a tenth of the logger's CPU. Same reading: stringified, empty = absent.
        part = part_of(event.get_type())
        when = (event.get_time() or datetime.now(UTC)).isoformat()
        request_id = _extension(event, "requestid") or event.get_id()
        model_id = _extension(event, "modelid")
        endpoint = _extension(event, "endpoint") or "default"
        common: dict[str, Any] = {
            doc.REQUEST_ID: request_id,
            doc.ENDPOINT: endpoint,
            "engine": engine_of(event.get_type()),
        }
        if part in ("request", "response"):
            # The time a search sorts and filters on; parts that come later (feedback, detectors) leave it alone.
            common[doc.TIMESTAMP] = when
            if model_id:
                common["modelId"] = model_id
            protocol = _extension(event, "protocol")
            if protocol:
                common["protocol"] = protocol
        namespace = _extension(event, "namespace") or UNKNOWN
        ref = DeploymentRef(namespace, _extension(event, "inferenceservicename") or UNKNOWN)
        return cls(part, request_id, ref, endpoint, model_id, when, common)


def _extension(event: CloudEvent, name: str) -> str | None:
    value = event.get_extension(name)
    return None if value is None or value == "" else str(value)


class DocumentBuilder:
    """Builds the writes of one event; `max_payload_bytes` bounds what is kept of a raw payload."""

    def __init__(self, *, max_payload_bytes: int) -> None:
        self._max_payload_bytes = max_payload_bytes

    def build(self, event: CloudEvent, context: EventContext, schema: PredictionSchema | None) -> list[LogWrite]:
        data = event.get_data()
        if context.part in ("request", "response"):
            parsed = _parse(context.part, data)
            parts = [self._io_part(context, event, parsed, i, schema) for i in range(len(parsed.instances))]
            return self._with_payload(context, event, data, parts)
        if context.part == "feedback":
            return self._feedback(context, event, data, schema)
        if context.part == "outlier":
            return [self._write(context, i, body) for i, body in enumerate(_outlier_parts(context, data))]
        return [self._write(context, 0, _drift_part(context, data))]

    def _io_part(self, context: EventContext, event: CloudEvent, parsed: ParsedPayload, i: int,
                 schema: PredictionSchema | None) -> dict[str, Any]:  # fmt: skip
        instance = parsed.instances[i]
        elements = _elements(instance, parsed.names, schema.features_for(context.part) if schema else [])
        return {
            "time": context.time,
            "ceId": event.get_id(),
            "modelId": context.model_id,
            "contentType": event.get_datacontenttype(),
            "dataType": instance.data_type,
            "names": parsed.names,
            "batchSize": len(parsed.instances),
            "instance": {"value": instance.instance},
            "elements": elements,  # the store adds their searchable form (`document.with_features`)
        }

    def _with_payload(self, context: EventContext, event: CloudEvent, data: Any,
                      parts: list[dict[str, Any]]) -> list[LogWrite]:  # fmt: skip
        """Keep the raw payload: inline in a lone instance, else once beside the instances; never silently lost."""
        payload = _jsonable(data)
        size = _json_size(payload)
        rejected = None
        if size > self._max_payload_bytes:
            rejected = f"payload of {size} bytes exceeds the stored-payload limit of {self._max_payload_bytes} bytes"
        writes: list[LogWrite] = []
        for i, body in enumerate(parts):
            body["payloadSizeBytes"] = size
            if rejected is not None:
                body.update(payloadStored=doc.PAYLOAD_REJECTED, payloadRejectedReason=rejected)
                _drop_if_too_large(body, self._max_payload_bytes)
            elif len(parts) == 1:
                body.update(payloadStored=doc.PAYLOAD_INLINE, payload={"value": payload})
            else:
                body["payloadStored"] = doc.PAYLOAD_SEPARATE
            writes.append(self._write(context, i, body))
        if rejected is not None or len(parts) > 1:
            writes.append(PayloadWrite(
                ref=context.ref, request_id=context.request_id, part=context.part,
                payload=None if rejected else payload, content_type=event.get_datacontenttype(),
                size_bytes=size, rejected_reason=rejected,
            ))  # fmt: skip
        return writes

    def _feedback(self, context: EventContext, event: CloudEvent, data: Any,
                  schema: PredictionSchema | None) -> list[LogWrite]:  # fmt: skip
        data = data if isinstance(data, dict) else {}
        truth = data.get("truth")
        rows = parse_response(truth).instances if isinstance(truth, dict) else []
        names = parse_response(truth).names if isinstance(truth, dict) else []
        features = schema.features_for("response") if schema else []
        writes: list[LogWrite] = []
        for i in range(max(1, len(rows))):
            body: dict[str, Any] = {"time": context.time, "ceId": event.get_id(), "payload": {"value": data}}
            if data.get("reward") is not None:
                body["reward"] = float(data["reward"])
            if i < len(rows):
                elements = _elements(rows[i], names, features)
                body["truth"] = {"dataType": rows[i].data_type, "instance": {"value": rows[i].instance},
                                 "elements": elements}  # fmt: skip
            writes.append(self._write(context, i, body))
        return writes

    def _write(self, context: EventContext, item: int, body: dict[str, Any]) -> InstanceWrite:
        fields = {**context.common, doc.ITEM_INDEX: item, context.part: body}
        return InstanceWrite(context.ref, doc.instance_doc_id(context.request_id, item), fields)


def _parse(part: PartName, data: Any) -> ParsedPayload:
    if isinstance(data, bytes | bytearray):
        return unparsed(bytes(data))
    return parse_request(data) if part == "request" else parse_response(data)


def _elements(instance: ParsedInstance, names: list[str], features: list[Any]) -> dict[str, Any]:
    if instance.named is not None:
        return dict(instance.named)
    if instance.columns is None:
        return {}
    return name_columns(features, instance.columns) or name_by_payload(names, instance.columns)


def _jsonable(data: Any) -> Any:
    if isinstance(data, bytes | bytearray):
        return unparsed(bytes(data)).instances[0].instance  # base64 text
    return data


def _drop_if_too_large(body: dict[str, Any], limit: int) -> None:
    """An instance as large as the rejected payload is not kept either (its type and size are)."""
    size = _json_size(body["instance"])
    if size > limit:
        body.update(instance={"value": None}, elements={})
        body["payloadRejectedReason"] += f"; the instance itself ({size} bytes) was not kept either"


def _json_size(value: Any) -> int:
    try:
        return len(orjson.dumps(value))
    except TypeError:  # not JSON-encodable as is (should not happen for decoded JSON): measure its text
        return len(str(value).encode())


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _outlier_parts(context: EventContext, data: Any) -> list[dict[str, Any]]:
    scores = data.get("data", {}) if isinstance(data, dict) else {}
    flags = _as_list(scores.get("is_outlier"))
    instance_scores = scores.get("instance_score")
    parts = []
    for i, flag in enumerate(flags):
        body: dict[str, Any] = {"time": context.time, "isOutlier": bool(flag),
                                "detector": (data.get("meta") or {}) if isinstance(data, dict) else {}}  # fmt: skip
        if isinstance(instance_scores, list) and i < len(instance_scores) and not isinstance(instance_scores[i], list):
            body["instanceScore"] = float(instance_scores[i])
        elif isinstance(instance_scores, int | float):
            body["instanceScore"] = float(instance_scores)
        if scores.get("feature_score") is not None:
            feature_score = scores["feature_score"]
            body["featureScore"] = {"value": feature_score[i] if isinstance(feature_score, list) and
                                    i < len(feature_score) else feature_score}  # fmt: skip
        parts.append(body)
    return parts


def _drift_part(context: EventContext, data: Any) -> dict[str, Any]:
    scores = data.get("data", {}) if isinstance(data, dict) else {}
    flags = _as_list(scores.get("is_drift"))
    return {
        "time": context.time,
        "isDrift": any(bool(f) for f in flags),
        "pVal": {"value": scores.get("p_val")},
        "distance": {"value": scores.get("distance")},
        "threshold": {"value": scores.get("threshold")},
        "detector": (data.get("meta") or {}) if isinstance(data, dict) else {},
    }
