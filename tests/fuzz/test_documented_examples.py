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
    """(method, path, schema, example) of every JSON request body example, on the media type or in the schema."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = media.get("schema")
            if schema is None:
                continue
            examples = [media["example"]] if "example" in media else []
            if "$ref" in schema:
                examples += document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]].get("examples", [])
            found += [(method.upper(), path, schema, example) for example in examples]
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

    model = _example(document, "/model/metadata")
    stored = httpx.post(f"{api}/model/metadata", json=model, timeout=10)
    assert stored.status_code in (200, 409), stored.text  # 409: the fuzz run stored the example first
    listed = httpx.get(f"{api}/model/metadata", params={"URI": model["URI"]}, timeout=10).json()["models"]
    assert [entry["URI"] for entry in listed] == [model["URI"]]


def test_the_server_accepts_the_documented_rollout_examples(warden: str) -> None:
    """Each canary shape and the shadow example on a stored SeldonDeployment (rollouts change only the object)."""
    document = httpx.get(f"{warden}{PUBLIC_DOCUMENT}", timeout=10).raise_for_status().json()
    api = f"{warden}{API}"
    body = _example(document, "/namespaces/{namespace}/seldondeployments")
    namespace, name = "examples-rollouts", body["metadata"]["name"]
    _ensure_namespace(api, namespace)
    body = {**body, "metadata": {**body["metadata"], "namespace": namespace}}
    deployment = f"{api}/namespaces/{namespace}/seldondeployments/{name}"
    created = httpx.post(f"{api}/namespaces/{namespace}/seldondeployments", json=body, timeout=30)
    assert created.status_code == 201, created.text
    try:
        schema = _schema_of(document, "/namespaces/{namespace}/seldondeployments/{name}/canary")
        assert len(schema["examples"]) >= 2  # the short form and a complete predictor
        for example in schema["examples"]:
            added = httpx.post(f"{deployment}/canary", json=example, timeout=30)
            assert added.status_code == 200, f"{example}: {added.text}"
            assert httpx.delete(f"{deployment}/canary", timeout=30).status_code == 200
        shadow = _schema_of(document, "/namespaces/{namespace}/seldondeployments/{name}/shadow")["examples"][0]
        added = httpx.post(f"{deployment}/shadow", json=shadow, timeout=30)
        assert added.status_code == 200, added.text
    finally:
        httpx.delete(deployment, timeout=30)


def _schema_of(document: dict[str, Any], path: str) -> dict[str, Any]:
    media = document["paths"][API + path]["post"]["requestBody"]["content"]["application/json"]
    name = media["schema"]["$ref"].rsplit("/", 1)[-1]
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema
