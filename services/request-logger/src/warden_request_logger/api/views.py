"""A stored instance document -> the search API's hit: the instance, each part, and the raw payloads."""

from __future__ import annotations

from typing import Any

from warden_common.logstore import PART_NAMES, LogHit
from warden_common.logstore import document as doc

_TOP_LEVEL = (doc.REQUEST_ID, doc.ITEM_INDEX, doc.NAMESPACE, doc.DEPLOYMENT, doc.ENDPOINT, "engine", "modelId",
              "protocol", doc.TIMESTAMP, doc.LOAD_TEST)  # fmt: skip


_HIDDEN = (doc.FEATURES, "payload", "values", "categories")
"""Search terms and aggregatable copies of the elements (store-made), and the payload (shown under `payloads`)."""


def _unwrap(value: Any) -> Any:
    """Free-form values are stored as `{"value": ...}` (the field is an object in the index)."""
    return value["value"] if isinstance(value, dict) and set(value) == {"value"} else value


def _part_view(body: dict[str, Any]) -> dict[str, Any]:
    view = {k: _unwrap(v) for k, v in body.items() if k not in _HIDDEN}
    if isinstance(body.get("truth"), dict):
        view["truth"] = _part_view(body["truth"])
    return view


def hit_view(hit: LogHit) -> dict[str, Any]:
    source = dict(hit.document)
    view: dict[str, Any] = {"id": hit.doc_id}
    view.update({key: source[key] for key in _TOP_LEVEL if key in source})
    payloads: dict[str, Any] = {}
    for part in PART_NAMES:
        body = source.get(part)
        if not isinstance(body, dict):
            continue
        view[part] = _part_view(body)
        if "payload" in body:
            payloads[part] = {"payload": _unwrap(body["payload"]), "contentType": body.get("contentType")}
    payloads.update(hit.payloads)
    request = view.get("request")
    view["instance"] = request.get("instance") if isinstance(request, dict) else None
    view["payloads"] = payloads
    return view
