"""SQL of the PostgreSQL log store: batched upserts and the search `WHERE` built from a `LogQuery`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warden_common.logstore.paging import bad_token, decode_token
from warden_common.logstore.port import DeploymentLife, FeatureFilter, LogQuery

UPSERT_INSTANCES = """
INSERT INTO warden_logs.instances AS t
    (namespace, deployment, doc_id, request_id, endpoint, ts, is_outlier, doc, deployment_uid,
     request_numbers, request_labels, response_numbers, response_labels)
SELECT namespace, deployment, doc_id, request_id, endpoint, ts, is_outlier, doc::jsonb, deployment_uid,
       request_numbers::float8[], request_labels::text[], response_numbers::float8[], response_labels::text[]
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
            $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
    AS w(namespace, deployment, doc_id, request_id, endpoint, ts, is_outlier, doc, deployment_uid,
         request_numbers, request_labels, response_numbers, response_labels)
ON CONFLICT (namespace, deployment, doc_id) DO UPDATE SET
    doc              = t.doc || EXCLUDED.doc,
    endpoint         = COALESCE(EXCLUDED.endpoint, t.endpoint),
    ts               = COALESCE(EXCLUDED.ts, t.ts),
    is_outlier       = COALESCE(EXCLUDED.is_outlier, t.is_outlier),
    deployment_uid   = COALESCE(EXCLUDED.deployment_uid, t.deployment_uid),
    request_numbers  = CASE WHEN EXCLUDED.doc ? 'request' THEN EXCLUDED.request_numbers ELSE t.request_numbers END,
    request_labels   = CASE WHEN EXCLUDED.doc ? 'request' THEN EXCLUDED.request_labels ELSE t.request_labels END,
    response_numbers = CASE WHEN EXCLUDED.doc ? 'response' THEN EXCLUDED.response_numbers
                            ELSE t.response_numbers END,
    response_labels  = CASE WHEN EXCLUDED.doc ? 'response' THEN EXCLUDED.response_labels ELSE t.response_labels END
"""
"""Parts replace their own top-level key (`||` is a shallow merge), so parts merge in any order, idempotently;
a part's slot arrays (`postgres_slots`) are written with it, from its elements. Documents (and payloads, below)
come as JSON text (`postgres_json.dumps`) cast here: a `jsonb[]` parameter makes asyncpg quote and escape every
element into one array literal (26 us per income document against 9 us for making the JSON), and it reads a
JSON list as a nested array dimension rather than as one value."""

UPSERT_PAYLOADS = """
INSERT INTO warden_logs.payloads AS t
    (namespace, deployment, request_id, part, content_type, size_bytes, payload, rejected_reason)
SELECT namespace, deployment, request_id, part, content_type, size_bytes, payload::jsonb, rejected_reason
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
    AS w(namespace, deployment, request_id, part, content_type, size_bytes, payload, rejected_reason)
ON CONFLICT (namespace, deployment, request_id, part) DO UPDATE SET
    content_type = EXCLUDED.content_type, size_bytes = EXCLUDED.size_bytes,
    payload = EXCLUDED.payload, rejected_reason = EXCLUDED.rejected_reason
"""

SELECT_PAYLOADS = """
SELECT namespace, deployment, request_id, part, content_type, size_bytes, payload, rejected_reason
FROM warden_logs.payloads p
JOIN unnest($1::text[], $2::text[], $3::text[]) AS w(namespace, deployment, request_id)
    USING (namespace, deployment, request_id)
"""

SORT_TS = "COALESCE(ts, 'epoch'::timestamptz)"

_OPS = {"eq": "=", "ne": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class Where:
    """Collects conditions and their positional parameters."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def add(self, condition: str) -> None:
        self.conditions.append(condition)

    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "TRUE"


def where_for(query: LogQuery) -> Where:
    where = Where()
    for column, value in (
        ("namespace", query.namespace),
        ("deployment", query.deployment),
        ("endpoint", query.endpoint),
        ("request_id", query.request_id),
    ):
        if value is not None:
            where.add(f"{column} = {where.param(value)}")
    if query.start is not None:
        where.add(f"ts >= {where.param(query.start)}")
    if query.end is not None:
        where.add(f"ts < {where.param(query.end)}")
    if query.outliers_only:
        where.add("is_outlier IS TRUE")
    if query.life is not None:
        where.add(_life_condition(where, query.life))
    for feature in query.features:
        where.add(_feature_condition(where, feature))
    return where


def _life_condition(where: Where, life: DeploymentLife) -> str:
    """Its uid, or (logged without one, by an external executor) at or after the life began."""
    tagged = f"deployment_uid = {where.param(life.uid)}"
    if life.created is None:
        return tagged
    return f"({tagged} OR (deployment_uid IS NULL AND ts >= {where.param(life.created)}))"


def _feature_condition(where: Where, feature: FeatureFilter) -> str:
    value = feature.value
    if isinstance(value, bool):
        slot, cast = "bool", "::boolean"
    elif isinstance(value, int | float):
        slot, cast, value = "num", "::float8", float(value)
    else:
        slot, cast = "str", ""
    part = {"request": "request", "response": "response"}[feature.part]  # never interpolate user text
    exists = (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(doc->'{part}'->'features', '[]'::jsonb)) f "
        f"WHERE f->>'name' = {where.param(feature.name)} AND f ? '{slot}' "
        f"AND (f->>'{slot}'){cast} {_OPS[feature.op]} {where.param(value)})"
    )
    return f"NOT {exists}" if feature.op == "ne" else exists


def page_condition(where: Where, query: LogQuery) -> None:
    """Keyset paging after the last hit of the previous page: (sort ts, namespace, deployment, doc id)."""
    if not query.page_token:
        return
    ts_text, namespace, deployment, doc_id = _token_key(query.page_token)
    comparison = "<" if query.sort == "desc" else ">"
    where.add(
        f"({SORT_TS}, namespace, deployment, doc_id) {comparison} "
        f"({where.param(datetime.fromisoformat(ts_text))}, {where.param(namespace)}, "
        f"{where.param(deployment)}, {where.param(doc_id)})"
    )


def _token_key(token: str) -> tuple[str, str, str, str]:
    key = decode_token(token)
    if len(key) != 4 or not all(isinstance(k, str) for k in key):
        raise bad_token(token)
    try:
        datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise bad_token(token) from exc
    return key[0], key[1], key[2], key[3]


def order_by(query: LogQuery) -> str:
    direction = "DESC" if query.sort == "desc" else "ASC"
    return f"{SORT_TS} {direction}, namespace {direction}, deployment {direction}, doc_id {direction}"
