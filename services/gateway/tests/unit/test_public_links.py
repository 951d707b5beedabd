"""The public document's links and precise bodies (issue 17): every link names a real operation and fills its real
parameters from a field the producer's answer (or request) schema has; the deployment bodies are the CRDs'.
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from warden_common.bus.port import Bus
from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.api.links import LINKS
from warden_gateway.composition import build_standalone_app
from warden_gateway.crds import load_crd
from warden_gateway.settings import GatewaySettings

OPENAPI = "/seldon-deploy/api/v1alpha1/openapi.json"
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
async def document() -> dict[str, Any]:
    root = build_standalone_app(
        Platform(mode="standalone", bus=cast(Bus, object())), GatewaySettings(auth=AUTH_OFF)
    )  # built, never started
    transport = httpx.ASGITransport(app=root)
    async with httpx.AsyncClient(transport=transport, base_url="http://warden") as client:
        body: dict[str, Any] = (await client.get(OPENAPI)).raise_for_status().json()
    return body


def _by_operation_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op for item in document["paths"].values() for method, op in item.items() if method in METHODS
    }


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _has_field(document: dict[str, Any], schema: dict[str, Any], pointer: str) -> bool:
    for part in pointer.strip("/").split("/"):
        schema = _resolve(document, schema)
        if part not in schema.get("properties", {}):
            return False
        schema = schema["properties"][part]
    return True


def test_every_link_targets_a_real_operation_and_parameter(document: dict[str, Any]) -> None:
    operations = _by_operation_id(document)
    declared = 0
    for (path, method, status), links in LINKS.items():
        producer = document["paths"][path][method]
        answer = producer["responses"][status]
        answer_schema = answer["content"]["application/json"]["schema"]
        request_schema = producer.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        assert set(answer["links"]) == {link.name for link in links}
        for name, link in answer["links"].items():
            target = operations[link["operationId"]]
            parameters = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
            for parameter, expression in link["parameters"].items():
                assert parameter in parameters, f"{name}: {parameter} is not a parameter of {link['operationId']}"
                source, _, pointer = expression.partition("#")
                schema = answer_schema if source == "$response.body" else request_schema
                assert schema is not None and _has_field(document, schema, pointer), f"{name}: {expression}"
            declared += 1
    assert declared >= 20  # namespaces (5), both deployment kinds (11 each), catalog (2)


@pytest.mark.parametrize(
    ("component", "crd"), [("SeldonDeployment", "seldondeployment"), ("InferenceService", "inferenceservice")]
)
def test_deployment_bodies_are_the_real_crd_schemas(document: dict[str, Any], component: str, crd: Any) -> None:
    schema = document["components"]["schemas"][component]
    real = load_crd(crd)
    assert set(schema["properties"]["spec"]["properties"]) == set(real.schema["properties"]["spec"]["properties"])
    assert schema["properties"]["apiVersion"] == {"enum": list(real.api_versions)}
    assert "pattern" in schema["properties"]["metadata"]["properties"]["name"]
    assert "status" not in schema["properties"]  # observed, never submitted
    assert "nullable" not in str(schema)  # OpenAPI 3.0's keyword, turned into a "null" type for 3.1
    collection = f"/seldon-deploy/api/v1alpha1/namespaces/{{namespace}}/{real.kind.lower()}s"
    body = document["paths"][collection]["post"]["requestBody"]["content"]
    assert {media["schema"]["$ref"] for media in body.values()} == {f"#/components/schemas/{component}"}
