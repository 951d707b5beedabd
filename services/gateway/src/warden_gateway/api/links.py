"""OpenAPI `links` of the public document: which answer feeds which next call (issue 17).

A link says "the namespace this POST created is the `{namespace}` of these calls"; clients and generators read
them, and schemathesis' stateful phase follows them (create a namespace, then a deployment in it, then read,
replace, roll out and delete that deployment). Declared on the public document, where every path is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warden_gateway.api.routes.forwarded import PUBLIC_API_PREFIX

_NAMESPACES = f"{PUBLIC_API_PREFIX}/namespaces"
_NAMESPACE = f"{_NAMESPACES}/{{namespace}}"
_METADATA = f"{PUBLIC_API_PREFIX}/model/metadata"


@dataclass(frozen=True)
class Link:
    name: str
    path: str
    method: str
    parameters: dict[str, str]
    description: str
    request_body: str | None = None


def _namespace_links() -> list[Link]:
    namespace = {"path.namespace": "$response.body#/name"}
    return [
        Link("ReadNamespace", _NAMESPACE, "get", namespace, "Read the namespace just created"),
        Link("ReplaceNamespace", _NAMESPACE, "put", namespace, "Relabel it (its own answer is a valid body)"),
        Link("DeleteNamespace", _NAMESPACE, "delete", namespace, "Delete it (empty)"),
        *(
            Link(f"Create{singular}", f"{_NAMESPACE}/{plural}", "post", namespace, f"Create a {singular} in it")
            for plural, singular in (
                ("seldondeployments", "SeldonDeployment"),
                ("inferenceservices", "InferenceService"),
            )
        ),
    ]


def _deployment_links(plural: str, singular: str) -> list[Link]:
    item = f"{_NAMESPACE}/{plural}/{{name}}"
    ids = {"path.namespace": "$response.body#/metadata/namespace", "path.name": "$response.body#/metadata/name"}
    links = [
        Link(f"Read{singular}", item, "get", ids, f"Read the {singular} just created"),
        Link(
            f"Replace{singular}",
            item,
            "put",
            ids,
            "Replace it: its own answer (current resourceVersion) is a valid body",
            request_body="$response.body",
        ),
        Link(f"Delete{singular}", item, "delete", ids, f"Delete the {singular}"),
        Link(f"Canary{singular}", f"{item}/canary", "post", ids, "Start a canary of it"),
        Link(f"PromoteCanary{singular}", f"{item}/canary/promote", "post", ids, "Promote its canary"),
        Link(f"RemoveCanary{singular}", f"{item}/canary", "delete", ids, "Remove its canary"),
        Link(f"Shadow{singular}", f"{item}/shadow", "post", ids, "Start a shadow of it"),
        Link(f"PromoteShadow{singular}", f"{item}/shadow/promote", "post", ids, "Promote its shadow"),
        Link(f"RemoveShadow{singular}", f"{item}/shadow", "delete", ids, "Remove its shadow"),
        Link(f"Resources{singular}", f"{item}/resources", "get", ids, "The processes serving it"),
        Link(f"Predict{singular}", f"{item}/predict", "post", ids, "Send it a prediction through the gateway"),
    ]
    return links


def _metadata_links() -> list[Link]:
    uri = {"query.URI": "$request.body#/URI"}
    return [
        Link("ListModelByUri", _METADATA, "get", uri, "Find the catalog entry just created by its URI"),
        Link("DeleteModelByUri", _METADATA, "delete", uri, "Delete the catalog entry just created"),
    ]


_DETECTOR_KINDS = {"outlier-detector": "OutlierDetector", "drift-detector": "DriftDetector",
                   "metrics-server": "MetricsServer"}  # fmt: skip


def _detector_links(collection: str, singular: str) -> list[Link]:
    ids = {"path.namespace": "$response.body#/namespace", "path.name": "$response.body#/deployment_name"}
    item = {**ids, "path.detectorName": "$response.body#/name"}
    return [
        Link(f"Read{singular}", f"{collection}/{{detectorName}}", "get", item, f"Read the {singular} with its status"),
        Link(f"Delete{singular}", f"{collection}/{{detectorName}}", "delete", item, f"Delete the {singular}"),
        Link(f"List{singular}s", collection, "get", ids, f"Every {singular} of the deployment"),
        *_result_links(collection, singular, item),
    ]


# What a drift detector and a metrics server produce, readable as soon as one is created.
_DETECTOR_RESULTS = {"DriftDetector": ("timeline", "Its drift windows, oldest first"),
                     "MetricsServer": ("metrics", "Its accuracy metrics per class and overall")}  # fmt: skip


def _result_links(collection: str, singular: str, item: dict[str, str]) -> list[Link]:
    if singular not in _DETECTOR_RESULTS:
        return []
    tail, description = _DETECTOR_RESULTS[singular]
    return [Link(f"Read{singular}{tail.title()}", f"{collection}/{{detectorName}}/{tail}", "get", item, description)]


def _all_detector_links() -> dict[tuple[str, str, str], list[Link]]:
    links = {}
    for plural in ("seldondeployments", "inferenceservices"):
        for segment, singular in _DETECTOR_KINDS.items():
            collection = f"{_NAMESPACE}/{plural}/{{name}}/monitor/{segment}"
            links[collection, "post", "200"] = _detector_links(collection, singular)
    return links


# (producer path, method, status) -> the calls its answer feeds.
LINKS: dict[tuple[str, str, str], list[Link]] = {
    (_NAMESPACES, "post", "201"): _namespace_links(),
    (f"{_NAMESPACE}/seldondeployments", "post", "201"): _deployment_links("seldondeployments", "SeldonDeployment"),
    (f"{_NAMESPACE}/inferenceservices", "post", "201"): _deployment_links("inferenceservices", "InferenceService"),
    (_METADATA, "post", "200"): _metadata_links(),
    **_all_detector_links(),
}


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the `links` of `LINKS` on the producers' answers (by the consumers' `operationId`).

    A link whose producer or consumer the document lacks is left out: a gateway composed with stand-in services
    (tests) documents only some routes. The real document must have every one: test_public_links.py holds it to that.
    """
    paths = document["paths"]
    for (path, method, status), links in LINKS.items():
        producer = _operation(paths, path, method)
        if producer is None:
            continue
        declared = producer["responses"][status].setdefault("links", {})
        for link in links:
            consumer = _operation(paths, link.path, link.method)
            if consumer is None:
                continue
            target: dict[str, Any] = {
                "operationId": consumer["operationId"],
                "parameters": link.parameters,
                "description": link.description,
            }
            if link.request_body is not None:
                target["requestBody"] = link.request_body
            declared[link.name] = target
    return document


def _operation(paths: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    operation: dict[str, Any] | None = paths.get(path, {}).get(method)
    return operation
