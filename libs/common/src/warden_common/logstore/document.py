"""The shape of an instance document: the fields both adapters index and search.

    {
      "docId", "requestId", "itemIndex",                         # identity: `<requestId>-item-<i>`
      "namespace", "deployment", "endpoint", "engine",           # where it was served (keywords)
      "modelId", "protocol",
      "timestamp",                                               # request time (searching, sorting)
      "request":  {PART}, "response": {PART},                    # the instance in and out
      "feedback": {"time", "reward", "truth": {PART}?, ...},
      "outlier":  {"time", "isOutlier", "instanceScore", "featureScore", "detector"},
      "drift":    {"time", "isDrift", "pVal", "distance", "threshold", "detector"},
    }
    PART = {"time", "ceId", "modelId", "contentType", "dataType", "names", "batchSize",
            "instance",            # the raw row (stored, not indexed: any shape)
            "elements",            # name -> value, named and categorised by the prediction schema (stored)
            "features": [{"name", "num"?, "str"?, "bool"?}],  # the elements, typed for searching (nested)
            "payload"?,            # the raw payload when the request held this one instance only
            "payloadStored": "inline" | "separate" | "rejected" | "none", "payloadRejectedReason"?}

Searchable features are name/value pairs with one typed slot per kind of value, so a feature's type never
depends on the first document seen and no document can add fields to the mapping (no mapping explosion).
"""

from __future__ import annotations

import math

DOC_ID = "docId"
REQUEST_ID = "requestId"
ITEM_INDEX = "itemIndex"
NAMESPACE = "namespace"
DEPLOYMENT = "deployment"
ENDPOINT = "endpoint"
TIMESTAMP = "timestamp"
FEATURES = "features"
IS_OUTLIER = "isOutlier"

PAYLOAD_INLINE = "inline"
PAYLOAD_SEPARATE = "separate"
PAYLOAD_REJECTED = "rejected"
PAYLOAD_NONE = "none"


def instance_doc_id(request_id: str, item: int) -> str:
    """Deterministic id of instance `item` of a request: the same whatever part (or redelivery) writes it.

    Unambiguous: the suffix is parsed from the right and ends in digits, so no two (request id, item) pairs
    share an id even when request ids contain `-item-`.
    """
    return f"{request_id}-item-{item}"


def feature_entries(elements: dict[str, object]) -> list[dict[str, object]]:
    """`{"Age": 39, "Sex": "Male", "proba": {">50K": 0.8}}` -> typed name/value pairs (groups flattened `a.b`)."""
    entries: list[dict[str, object]] = []
    for name, value in elements.items():
        _add_entry(entries, str(name), value)
        if len(entries) >= MAX_FEATURES:
            # Each entry is a nested document; OpenSearch refuses more than 10,000 per document by default.
            return entries[:MAX_FEATURES]
    return entries


def _add_entry(entries: list[dict[str, object]], name: str, value: object) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _add_entry(entries, f"{name}.{key}", inner)
    elif isinstance(value, bool):
        entries.append({"name": name, "bool": value})
    elif isinstance(value, int | float):
        if math.isfinite(value):  # NaN/inf are not JSON numbers; the value stays in `elements`
            entries.append({"name": name, "num": float(value)})
    elif isinstance(value, str):
        entries.append({"name": name, "str": value[:_MAX_KEYWORD]})
    # Lists (tensors, images) and nulls are kept in `elements` and `instance` but not indexed for search.


MAX_FEATURES = 1000
"""Elements indexed for search per part; wider rows keep every element in `elements`, searchable or not."""

_MAX_KEYWORD = 1024
"""Longer strings (free text) are cut for the keyword slot; the whole text stays in `elements`."""
