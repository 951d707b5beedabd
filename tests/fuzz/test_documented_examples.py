"""Every request example of the public document is valid by its own schema, and the server accepts the ones that
create or validate something (issue 17): a fuzzer starts from them, and people copy them.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PUBLIC_DOCUMENT = "/seldon-deploy/api/v1alpha1/openapi.json"
API = "/seldon-deploy/api/v1alpha1"
DOCUMENT_URI = "urn:warden:public-openapi"

pytestmark = [pytest.mark.integration]


def _json_examples(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Any]]:
    """(method, path, schema, example) of every JSON request body example."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "schema" in media and "example" in media:
                found.append((method.upper(), path, media["schema"], media["example"]))
    return found


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(_rebased(schema), registry=registry)


def _rebased(schema: Any) -> Any:
    """`schema` with its document-local `$ref`s pointing into the registered document."""
    if isinstance(schema, dict):
        return {
            key: (DOCUMENT_URI + value if key == "$ref" and value.startswith("#/") else _rebased(value))
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebased(item) for item in schema]
    return schema


def test_every_request_example_is_valid_by_its_schema(warden: str) -> None:
    document = httpx.get(f"{warden}{PUBLIC_DOCUMENT}", timeout=10).raise_for_status().json()
    examples = _json_examples(document)
    assert len(examples) >= 20, "the public document lost its request examples"
    problems = [
        f"{method} {path}: {error.json_path}: {error.message[:200]}"
        for method, path, schema, example in examples
        for error in _validator(document, schema).iter_errors(example)
    ]
    assert problems == []


def _example(document: dict[str, Any], path: str, method: str = "post") -> Any:
    return document["paths"][API + path][method]["requestBody"]["content"]["application/json"]["example"]


def _ensure_namespace(api: str, name: str) -> None:
    answer = httpx.post(f"{api}/namespaces", json={"name": name}, timeout=10)
    assert answer.status_code in (201, 409), answer.text  # 409: an earlier run or test made it


def test_the_server_accepts_the_documented_examples(warden: str) -> None:
    document = httpx.get(f"{warden}{PUBLIC_DOCUMENT}", timeout=10).raise_for_status().json()
    api = f"{warden}{API}"

    namespace = _example(document, "/namespaces")
    created = httpx.post(f"{api}/namespaces", json=namespace, timeout=10)
    if created.status_code == 409:  # the fuzz run replayed the example first: then it made exactly this one
        created = httpx.get(f"{api}/namespaces/{namespace['name']}", timeout=10)
    assert created.status_code in (200, 201), created.text
    assert {k: created.json()[k] for k in ("name", "labels", "annotations")} == namespace

    for plural in ("seldondeployments", "inferenceservices"):
        body = _example(document, f"/namespaces/{{namespace}}/{plural}")
        target = body["metadata"]["namespace"]
        _ensure_namespace(api, target)
        validated = httpx.post(f"{api}/namespaces/{target}/{plural}/validate", json=body, timeout=30)
        assert validated.status_code == 200, f"{plural}: {validated.text}"
        replaced = _example(document, f"/namespaces/{{namespace}}/{plural}/{{name}}", "put")
        validated = httpx.post(f"{api}/namespaces/{target}/{plural}/validate", json=replaced, timeout=30)
        assert validated.status_code == 200, f"{plural} (PUT example): {validated.text}"
