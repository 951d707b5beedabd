"""One incoming event -> the log-store writes it stands for (one part per instance, plus its raw payload)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from warden_common.codec import Event
from warden_common.events.inference import DEPLOYMENT_UID_EXTENSION, LOAD_TEST_EXTENSION
from warden_common.logstore import DeploymentRef, InstanceWrite, LogWrite, PartName, PayloadWrite
from warden_common.logstore import document as doc
from warden_common.payloads import ParsedInstance, ParsedPayload, parse_request, parse_response, unparsed
from warden_request_logger.compiled_parts import CompiledParts
from warden_request_logger.kinds import engine_of, part_of
from warden_request_logger.schema import ColumnNamer, PredictionSchema, name_by_payload

UNKNOWN = "unknown"
"""Namespace / deployment of events that do not say (kept and searchable rather than dropped)."""


class EventContext(NamedTuple):
    """What every document of one event shares (a tuple: one is made per event)."""

    part: PartName
    request_id: str
    ref: DeploymentRef
    endpoint: str
    model_id: str | None
    time: str
    common: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> EventContext:
        # Reads the extensions from the attributes directly rather than through `InferenceExtensions` (a pydantic
        # model) or a getter per name, and works out what they stand for once per deployment: this runs for every
        # event. Same reading: stringified, empty = absent.
        attributes = event.get_attributes()
        key = (event.get_type(), attributes.get("modelid"), attributes.get("endpoint"), attributes.get("protocol"),
               attributes.get("namespace"), attributes.get("inferenceservicename"),
               attributes.get(DEPLOYMENT_UID_EXTENSION), attributes.get(LOAD_TEST_EXTENSION))  # fmt: skip
        origin = _origin(key)
        when = (event.get_time() or datetime.now(UTC)).isoformat()
        request_id = _text(attributes.get("requestid")) or event.get_id()
        common = {doc.REQUEST_ID: request_id, **origin.common}
        if origin.part in _INSTANCE_PARTS:
            # The time a search sorts and filters on; parts that come later (feedback, detectors) leave it alone.
            common[doc.TIMESTAMP] = when
        return cls(origin.part, request_id, origin.ref, origin.endpoint, origin.model_id, when, common)


_INSTANCE_PARTS = frozenset({"request", "response"})


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else value if type(value) is str else str(value)


class _Origin(NamedTuple):
    """What an event's type and deployment extensions stand for: the same for every event of a deployment."""

    part: PartName
    ref: DeploymentRef
    endpoint: str
    model_id: str | None
    common: dict[str, Any]
    """The fields every document of such an event repeats, but for the request id and the time."""


_ORIGINS: dict[tuple[Any, ...], _Origin] = {}
_MAX_ORIGINS = 10_000  # bounded: the values come from the wire


def _origin(key: tuple[Any, ...]) -> _Origin:
    """Raises `NotAnInferenceEvent` for a type the logger does not store (never cached)."""
    try:
        origin = _ORIGINS.get(key)
    except TypeError:  # an extension value that cannot be a key (a list in a structured-mode event): not cached
        return _origin_of(key)
    if origin is None:
        origin = _origin_of(key)
        if len(_ORIGINS) < _MAX_ORIGINS:
            _ORIGINS[key] = origin
    return origin


def _origin_of(key: tuple[Any, ...]) -> _Origin:
    event_type, *extensions = key
    part = part_of(event_type)
    model_id, endpoint, protocol, namespace, deployment, deployment_uid, load_test = (
        _text(value) for value in extensions
    )
    endpoint = endpoint or "default"
    common: dict[str, Any] = {doc.ENDPOINT: endpoint, "engine": engine_of(event_type)}
    if part in _INSTANCE_PARTS:
        if model_id:
            common["modelId"] = model_id
        if protocol:
            common["protocol"] = protocol
        if deployment_uid:
            # Which life of the name served it, set by the request and response only (like the time): feedback
            # sent to a later life for a request of an earlier one must not move that request into the new life.
            common[doc.DEPLOYMENT_UID] = deployment_uid
        if load_test:
            # Load-test traffic (Warden's load generator): monitoring queries leave it out by this field.
            common[doc.LOAD_TEST] = load_test
    return _Origin(part, DeploymentRef(namespace or UNKNOWN, deployment or UNKNOWN), endpoint, model_id, common)


class DocumentBuilder:
    """Builds the writes of one event; `max_payload_bytes` bounds what is kept of a raw payload."""

    def __init__(self, *, max_payload_bytes: int, compiled_parts: bool = False) -> None:
        """`compiled_parts`: requests and responses the compiled path takes become one pre-encoded part each
        (`compiled_parts.CompiledParts`); only a store that takes `orjson.Fragment` parts (OpenSearch) may ask."""
        self._max_payload_bytes = max_payload_bytes
        self._compiled = CompiledParts(max_payload_bytes=max_payload_bytes) if compiled_parts else None

    def build(self, event: Event, context: EventContext, schema: PredictionSchema | None) -> list[LogWrite]:
        if context.part in _INSTANCE_PARTS:
            namer = schema.namer_for(context.part) if schema is not None else None
            if self._compiled is not None:
                compiled = self._compiled.part(event, context.part, context.time, context.model_id, namer)
                if compiled is not None:
                    return [self._write(context, 0, compiled)]
            return self._instance_parts(context, event, event.get_data(), namer)
        data = event.get_data()
        if context.part == "feedback":
            return self._feedback(context, event, data, schema)
        if context.part == "outlier":
            return [self._write(context, i, body) for i, body in enumerate(_outlier_parts(context, data))]
        return [self._write(context, 0, _drift_part(context, data))]

    def _instance_parts(self, context: EventContext, event: Event, data: Any,
                        namer: ColumnNamer | None) -> list[LogWrite]:  # fmt: skip
        """A part per instance of a request or response, and the raw payload: inline in a lone instance, else
        once beside the instances; never silently lost."""
        parsed = _parse(context.part, data)
        ce_id, content_type = event.get_id(), event.get_datacontenttype()
        payload = _jsonable(data)
        size = _json_size(payload)
        rejected = None
        if size > self._max_payload_bytes:
            rejected = f"payload of {size} bytes exceeds the stored-payload limit of {self._max_payload_bytes} bytes"
        alone = len(parsed.instances) == 1
        writes: list[LogWrite] = []
        for i, instance in enumerate(parsed.instances):
            body = {
                "time": context.time,
                "ceId": ce_id,
                "modelId": context.model_id,
                "contentType": content_type,
                "dataType": instance.data_type,
                "names": parsed.names,
                "batchSize": len(parsed.instances),
                "instance": {"value": instance.instance},
                "elements": _elements(instance, parsed.names, namer),  # the store adds their searchable form
                "payloadSizeBytes": size,
            }
            if rejected is not None:
                body.update(payloadStored=doc.PAYLOAD_REJECTED, payloadRejectedReason=rejected)
                _drop_if_too_large(body, self._max_payload_bytes)
            elif alone:
                body.update(payloadStored=doc.PAYLOAD_INLINE, payload={"value": payload})
            else:
                body["payloadStored"] = doc.PAYLOAD_SEPARATE
            writes.append(self._write(context, i, body))
        if rejected is not None or len(parsed.instances) > 1:
            writes.append(PayloadWrite(
                ref=context.ref, request_id=context.request_id, part=context.part,
                payload=None if rejected else payload, content_type=content_type,
                size_bytes=size, rejected_reason=rejected,
            ))  # fmt: skip
        return writes

    def _feedback(self, context: EventContext, event: Event, data: Any,
                  schema: PredictionSchema | None) -> list[LogWrite]:  # fmt: skip
        data = data if isinstance(data, dict) else {}
        truth = data.get("truth")
        parsed = parse_response(truth) if isinstance(truth, dict) else None
        rows, names = (parsed.instances, parsed.names) if parsed is not None else ([], [])
        namer = schema.namer_for("response") if schema is not None else None
        writes: list[LogWrite] = []
        for i in range(max(1, len(rows))):
            body: dict[str, Any] = {"time": context.time, "ceId": event.get_id(), "payload": {"value": data}}
            if data.get("reward") is not None:
                body["reward"] = float(data["reward"])
            if i < len(rows):
                elements = _elements(rows[i], names, namer)
                body["truth"] = {"dataType": rows[i].data_type, "instance": {"value": rows[i].instance},
                                 "elements": elements}  # fmt: skip
            writes.append(self._write(context, i, body))
        return writes

    def _write(self, context: EventContext, item: int, body: dict[str, Any] | orjson.Fragment) -> InstanceWrite:
        fields = {**context.common, doc.ITEM_INDEX: item, context.part: body}
        return InstanceWrite(context.ref, doc.instance_doc_id(context.request_id, item), fields)


def _parse(part: PartName, data: Any) -> ParsedPayload:
    if isinstance(data, bytes | bytearray):
        return unparsed(bytes(data))
    return parse_request(data) if part == "request" else parse_response(data)


def _elements(instance: ParsedInstance, names: list[str], namer: ColumnNamer | None) -> dict[str, Any]:
    if instance.named is not None:
        return dict(instance.named)
    columns = instance.columns
    if columns is None:
        return {}
    return (namer.name(columns) if namer is not None else None) or name_by_payload(names, columns)


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
