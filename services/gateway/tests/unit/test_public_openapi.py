"""The public OpenAPI document (issue 9): every public route of every service exactly once, at its public URL,
valid OpenAPI, and a Swagger page that loads everything from Warden itself — in standalone and distributed mode.

The apps are built, not started (no lifespan runs): building a Warden app opens nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from openapi_spec_validator import validate
from starlette.routing import Match

from warden_common.bus.port import Bus
from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.authz.rules import requirement
from warden_gateway.composition import build_standalone_app, load_service_factory, service_names
from warden_gateway.identity.docs import OAuthError, TokenResponse
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

OPENAPI = "/seldon-deploy/api/v1alpha1/openapi.json"
SWAGGER = "/seldon-deploy/swagger/"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
NOT_API = {"/health/live", "/health/ready", "/metrics", SWAGGER}  # operations and docs, not the API
# Service-to-service routes the gateway does not forward; each one here is a decision, not an accident.
INTERNAL = {
    ("serving", "GET", "/api/v1alpha1/runtime/deployments"),
    ("serving", "GET", "/api/v1alpha1/runtime/usage"),
    ("gitops-sync", "POST", "/internal/v1/namespaces/{namespace}/commits"),
    ("gitops-sync", "PUT", "/internal/v1/namespaces/{namespace}/repository"),
    ("gitops-sync", "GET", "/internal/v1/namespaces/{namespace}/deployments/{name}/{how}"),
}


@dataclass
class Deployment:
    mode: str
    entry: FastAPI  # what the public talks to: the standalone root app, or the gateway alone
    gateway: FastAPI
    services: dict[str, FastAPI]  # every service's app, the gateway included


def _standalone() -> Deployment:
    # The bus is only used once the lifespan runs, which these tests never start.
    platform = Platform(mode="standalone", bus=cast(Bus, object()))
    root = build_standalone_app(platform, GatewaySettings(auth=AUTH_OFF))
    apps = {name: _mounted(root, name) for name in service_names()}
    return Deployment("standalone", root, apps["gateway"], apps)


def _mounted(root: FastAPI, name: str) -> FastAPI:
    for route in root.routes:
        if getattr(route, "name", None) == name:
            app: FastAPI = route.app  # type: ignore[attr-defined]
            return app
    raise AssertionError(f"{name} is not mounted")


def _distributed() -> Deployment:
    gateway = create_app(GatewaySettings(auth=AUTH_OFF))
    apps = {name: load_service_factory(name)() for name in service_names() if name != "gateway"}
    return Deployment("distributed", gateway, gateway, {"gateway": gateway, **apps})


@pytest.fixture(params=["standalone", "distributed"], scope="module")
def deployment(request: pytest.FixtureRequest) -> Deployment:
    return _standalone() if request.param == "standalone" else _distributed()


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://warden")


@pytest.fixture
async def document(deployment: Deployment) -> dict[str, Any]:
    async with _client(deployment.entry) as client:
        answer = await client.get(OPENAPI)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method.upper(), operation


def _service_routes(app: FastAPI) -> Iterator[tuple[str, str, bool]]:
    """(method, path, documented) of every API route of `app`, health, metrics and the docs page aside."""
    for context in iter_route_contexts(app.routes):
        path = context.path
        if isinstance(context.original_route, APIRoute) and path not in NOT_API:
            assert path is not None
            for method in context.methods or ():
                yield method, path, bool(context.include_in_schema)


def _expected_public_path(service: str, path: str, mode: str) -> str:
    if service == "gateway" or path.startswith("/seldon/"):
        return path
    if path.startswith("/api/v1alpha1/"):
        return "/seldon-deploy" + path
    return f"/{service}{path}" if mode == "standalone" else path


def test_every_route_of_every_service_is_in_the_document_exactly_once(
    deployment: Deployment, document: dict[str, Any]
) -> None:
    found = Counter((op["x-warden-service"], method, path) for path, method, op in _operations(document))
    expected = Counter[tuple[str, str, str]]()
    internal = set()
    forwarders = []
    for service, app in deployment.services.items():
        for method, path, documented in _service_routes(app):
            if (service, method, path) in INTERNAL:
                internal.add((service, method, path))
            elif service == "gateway" and not documented:
                forwarders.append((method, path))
            else:  # a service route hidden from its own schema is still a public route: it must be there
                expected[service, method, _expected_public_path(service, path, deployment.mode)] += 1
    assert internal == INTERNAL
    assert {key: n for key, n in found.items() if n != 1} == {}
    assert set(found) == set(expected)
    assert {"metadata", "request-logger", "serving"} <= {service for service, _, _ in found}
    # The gateway hides only its forwarders, each covering documented routes of the service it forwards to (a
    # forwarder takes every method and lets the owner answer 405, so paths are compared, not methods).
    owned = [path for service, _, path in found if service != "gateway"]
    for method, path in forwarders:
        prefix = path.removesuffix("{rest:path}")
        covered = [p for p in owned if p == path or (path.endswith("{rest:path}") and p.startswith(prefix))]
        assert covered, f"the gateway hides {method} {path}, which forwards to no documented route"


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    ids = Counter(op["operationId"] for _, _, op in _operations(document))
    assert [op_id for op_id, n in ids.items() if n > 1] == []


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def _reaches(app: FastAPI, method: str, path: str) -> bool:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def test_every_public_api_path_is_answered_by_the_gateway(deployment: Deployment, document: dict[str, Any]) -> None:
    for path, method, _ in _operations(document):
        if path.startswith("/seldon-deploy/"):
            assert _reaches(deployment.gateway, method, _concrete(path)), f"{method} {path}"


def test_the_ingestion_endpoint_says_where_it_is(deployment: Deployment, document: dict[str, Any]) -> None:
    if deployment.mode == "standalone":
        assert "post" in document["paths"]["/request-logger/"]
        assert "servers" not in document["paths"]["/request-logger/"]  # same origin as everything else
        assert _reaches(deployment.entry, "POST", "/request-logger/")
    else:
        item = document["paths"]["/"]
        assert item["post"]["x-warden-service"] == "request-logger"
        (server,) = item["servers"]
        assert server["variables"]["request_logger_url"]["default"] == "http://request-logger:8080"


async def test_distributed_ingestion_server_is_the_configured_request_logger() -> None:
    settings = GatewaySettings.model_validate(
        {"auth": AUTH_OFF, "upstreams": {"request_logger": "http://logger.internal:9000/"}}
    )
    async with _client(create_app(settings)) as client:
        document = (await client.get(OPENAPI)).json()
    (server,) = document["paths"]["/"]["servers"]
    assert server["url"] == "{request_logger_url}"
    assert server["variables"]["request_logger_url"]["default"] == "http://logger.internal:9000"


def test_standalone_serves_the_data_plane_at_its_documented_paths(document: dict[str, Any]) -> None:
    root = _standalone().entry
    for path, method, _ in _operations(document):
        if path.startswith("/seldon/"):
            assert _reaches(root, method, _concrete(path)), f"{method} {path}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


async def test_the_swagger_page_loads_everything_from_warden(deployment: Deployment) -> None:
    async with _client(deployment.entry) as client:
        await _check_swagger_page(client)


async def _check_swagger_page(client: httpx.AsyncClient) -> None:
    page = await client.get(SWAGGER)
    assert page.status_code == 200
    links = _Links()
    links.feed(page.text)
    assert len(links.urls) == 3  # the JS, the CSS and the favicon
    assert not re.search(r"https?://|//[a-z]", page.text), "the page names another host"
    assert '"validatorUrl": null' in page.text  # else Swagger UI sends the document to validator.swagger.io
    for url in [*links.urls, OPENAPI]:
        assert urlsplit(url).netloc == "" and url.startswith("/"), url
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert answer.content
        if url.endswith(".css"):
            imported = re.findall(r"url\(\s*['\"]?([^'\")]+)", answer.text)
            assert [u for u in imported if not u.startswith("data:")] == []
    assert OPENAPI in page.text


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if any(key in media for key in ("example", "examples")):
        return True
    schema = media.get("schema", {})
    schemas = [schema, *schema.get("anyOf", [])]  # an optional body is `anyOf: [model, null]`
    resolved = [components[s["$ref"].rsplit("/", 1)[-1]] if "$ref" in s else s for s in schemas]
    return any("example" in s or "examples" in s for s in resolved)


def test_every_operation_has_tags_schemas_examples_and_the_common_errors(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    problems = []
    for path, method, operation in _operations(document):
        where = f"{method} {path}"
        if not operation.get("tags") or not operation.get("summary"):
            problems.append(f"{where}: tags and summary")
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if status.startswith("2") and media is None:  # a text answer (a process's log) documents its example
                media = response.get("content", {}).get("text/plain")
            if status.startswith("2"):
                if media is None or "schema" not in media or not _has_example(media, components):
                    problems.append(f"{where}: {status} needs a JSON schema and an example")
            elif response.get("x-warden-protocol-body"):  # a peer protocol's own body (V2 health), documented
                if media is None or "schema" not in media:
                    problems.append(f"{where}: {status} needs a JSON schema")
            elif media is None or media["schema"] != {"$ref": "#/components/schemas/ErrorBody"}:
                problems.append(f"{where}: {status} is not the common error body")
        if not any(status.startswith(("4", "5")) for status in operation["responses"]):
            problems.append(f"{where}: no error responses")
        for content_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if "schema" not in media or not _has_example(media, components):
                problems.append(f"{where}: request body {content_type} needs a schema and an example")
    assert problems == []


# Authentication: schemes Swagger UI signs in with, a requirement on exactly the operations the auth middleware
# guards, and the OAuth2 token endpoint documented in its own protocol's terms.
TOKEN = "/oauth2/token"


def _beside_the_gateway(deployment: Deployment) -> frozenset[str]:
    return frozenset(deployment.services) - {"gateway"} if deployment.mode == "standalone" else frozenset()


def test_the_security_schemes_sign_in_at_the_token_endpoint(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["oauth2"]["flows"]["password"]["tokenUrl"] == TOKEN
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_exactly_the_guarded_operations_require_a_token(deployment: Deployment, document: dict[str, Any]) -> None:
    mounted = _beside_the_gateway(deployment)
    for path, method, operation in _operations(document):
        other_origin = "servers" in document["paths"][path]  # not behind the gateway (distributed ingestion)
        guarded = not other_origin and requirement(method, path, mounted).kind != "exempt"
        where = f"{method} {path}"
        if guarded:
            assert operation.get("security") == [{"oauth2": []}, {"bearer": []}], where
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], where
            assert operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "/ErrorBody"
            ), where
        else:
            assert "security" not in operation, where
            # the token endpoint's 401 is OAuth's; the distributed ingestion's is its own ingest token's
            ingestion = other_origin and operation["x-warden-service"] == "request-logger"
            assert path == TOKEN or ingestion or "401" not in operation["responses"], where
            if ingestion:
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], where
    paths = {path for path, _, op in _operations(document) if "security" not in op}
    assert {TOKEN, "/.well-known/openid-configuration", "/oauth2/jwks"} <= paths
    assert "/seldon-deploy/api/v1alpha1/users" not in paths


def test_the_token_endpoint_documents_both_grants_and_oauth_errors(document: dict[str, Any]) -> None:
    operation = document["paths"][TOKEN]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert set(form["schema"]["properties"]) >= {"grant_type", "client_id", "client_secret", "username", "password"}
    grants = {name: example["value"]["grant_type"] for name, example in form["examples"].items()}
    assert grants == {"password": "password", "client_credentials": "client_credentials"}
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{TokenResponse.__name__}")
    for status in ("400", "401", "429"):
        assert responses[status]["x-warden-protocol-body"] is True
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{OAuthError.__name__}")
    assert "Retry-After" in responses["429"]["headers"]
    oauth_error = document["components"]["schemas"][OAuthError.__name__]
    assert {"error", "error_description"} <= set(oauth_error["required"])


async def test_swagger_ui_signs_in_as_the_public_client(deployment: Deployment) -> None:
    async with _client(deployment.entry) as client:
        page = (await client.get(SWAGGER)).text
    assert '"clientId": "warden"' in page
    assert OPENAPI in page


def test_explanations_are_listed_and_asking_for_one_needs_write(document: dict[str, Any]) -> None:
    base = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}"
    explain = document["paths"][f"{base}/explain"]["post"]
    assert explain["x-warden-service"] == "detectors" and {"200", "202"} <= set(explain["responses"])
    assert {"get", "put", "delete"} <= set(document["paths"][f"{base}/explainer"])
    assert "get" in document["paths"][f"{base}/explanations/{{explanation_id}}"]
    concrete = "/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/income"
    assert requirement("POST", f"{concrete}/explain").action == "write"
    assert requirement("GET", f"{concrete}/explanations/x1").action == "read"
