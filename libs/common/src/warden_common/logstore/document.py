"""The shape of an instance document: the fields both adapters index and search.

    {
      "docId", "requestId", "itemIndex",                         # identity: `<requestId>-item-<i>`
      "namespace", "deployment", "endpoint", "engine",           # where it was served (keywords)
      "deploymentUid"?,                                          # which life of the deployment served it
      "loadTest"?,                                               # the load-test job that sent it (else absent)
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
            "features",            # the elements typed for searching, added by the store as it writes:
                                   # PostgreSQL [{"name", "num"?, "str"?, "bool"?}], OpenSearch terms
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
DEPLOYMENT_UID = "deploymentUid"
LOAD_TEST = "loadTest"
"""Set (to the job name) on instances sent by a load test; absent on real traffic."""
ENDPOINT = "endpoint"
TIMESTAMP = "timestamp"
FEATURES = "features"
ELEMENTS = "elements"
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
        add_feature_entry(entries, str(name), value)
        if len(entries) >= MAX_FEATURES:
            # Bounds the search terms (and the JSONB array) of one very wide row.
            return entries[:MAX_FEATURES]
    return entries


def add_feature_entry(entries: list[dict[str, object]], name: str, value: object) -> None:
    """Append the entries of one element (a group's flattened `name.key`) to `entries`."""
    # Exact types first (bool is a subclass of int): this runs for every element of every instance.
    if type(value) is float:
        if math.isfinite(value):  # NaN/inf are not JSON numbers; the value stays in `elements`
            entries.append({"name": name, "num": value})
    elif type(value) is int:
        if -_WIDEST_INT <= value <= _WIDEST_INT:  # wider integers are no double: kept in `elements` only
            entries.append({"name": name, "num": float(value)})
    elif type(value) is str:
        entries.append({"name": name, "str": value[:MAX_KEYWORD]})
    elif isinstance(value, dict):
        for key, inner in value.items():
            add_feature_entry(entries, f"{name}.{key}", inner)
    elif isinstance(value, bool):
        entries.append({"name": name, "bool": value})
    # Lists (tensors, images) and nulls are kept in `elements` and `instance` but not indexed for search.


MAX_FEATURES = 1000
"""Elements indexed for search per part; wider rows keep every element in `elements`, searchable or not."""

_WIDEST_INT = int(1.7976931348623157e308)

MAX_KEYWORD = 1024
"""Longer strings (free text) are cut for the keyword slot; the whole text stays in `elements`."""
