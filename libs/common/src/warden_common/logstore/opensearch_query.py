"""`LogQuery` -> OpenSearch search body (bool filter, feature-term conditions, keyset paging)."""

from __future__ import annotations

from typing import Any

from warden_common.logstore import document as doc
from warden_common.logstore.opensearch_features import feature_condition
from warden_common.logstore.paging import decode_token
from warden_common.logstore.port import DeploymentLife, FeatureFilter, LogQuery


def search_body(query: LogQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    # The index name already selects the deployment; filtering on the fields as well makes that a guarantee.
    for field, value in (
        (doc.NAMESPACE, query.namespace),
        (doc.DEPLOYMENT, query.deployment),
        (doc.ENDPOINT, query.endpoint),
        (doc.REQUEST_ID, query.request_id),
    ):
        if value is not None:
            filters.append({"term": {field: value}})
    if query.start is not None or query.end is not None:
        bounds: dict[str, Any] = {}
        if query.start is not None:
            bounds["gte"] = query.start.isoformat()
        if query.end is not None:
            bounds["lt"] = query.end.isoformat()
        filters.append({"range": {doc.TIMESTAMP: bounds}})
    if query.outliers_only:
        filters.append({"term": {f"outlier.{doc.IS_OUTLIER}": True}})
    if query.life is not None:
        filters.append(_life_condition(query.life))
    for feature in query.features:
        condition = _feature_condition(feature)
        (must_not if feature.op == "ne" else filters).append(condition)
    body: dict[str, Any] = {
        "query": {"bool": {"filter": filters, "must_not": must_not}},
        "sort": [
            {doc.TIMESTAMP: {"order": query.sort, "missing": "_last"}},
            {doc.DOC_ID: {"order": query.sort}},
        ],
        "size": query.page_size,
        "track_total_hits": True,
    }
    if query.page_token:
        body["search_after"] = decode_token(query.page_token)
    return body


def _life_condition(life: DeploymentLife) -> dict[str, Any]:
    """Its uid, or (logged without one, by an external executor) at or after the life began."""
    tagged = {"term": {doc.DEPLOYMENT_UID: life.uid}}
    if life.created is None:
        return tagged
    untagged = {
        "bool": {
            "must_not": [{"exists": {"field": doc.DEPLOYMENT_UID}}],
            "filter": [{"range": {doc.TIMESTAMP: {"gte": life.created.isoformat()}}}],
        }
    }
    return {"bool": {"should": [tagged, untagged], "minimum_should_match": 1}}


def _feature_condition(feature: FeatureFilter) -> dict[str, Any]:
    return feature_condition(f"{feature.part}.{doc.FEATURES}", feature)
