"""Issue 17: names are checked at the door of every gateway route with a name in its path, and nothing reaches the
services behind it (serving, request-logger, metadata, detectors: recording apps here) when one is bad.

Regression: `GET .../namespaces/0/inferenceservices/%04/resources` (and the seldondeployments twin) answered 500
`InvalidURL`, because the serving path was pasted together from the decoded names.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts

from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

API = "/seldon-deploy/api/v1alpha1"
# Sent as written (percent-encoded where a raw character could not be): control characters, ?, #, an encoded
# slash, an encoded dot segment (a plain `..` never arrives: clients resolve it), a backslash, a space, upper case,
# and a 300-character name.
HOSTILE = ["%04", "a%3Fb", "a%3Fview%3Dprocesses", "a%23b", "a%2Fb", "%2E%2E", "a%0Ab", "a%7Fb", "a%5Cb", "a%20b",
           "Iris", "a" * 300]  # fmt: skip


class ReadyBus:
    async def ready(self) -> bool:
        return True


def _recording(calls: Counter[str], service: str) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def record(request: Request, path: str) -> JSONResponse:
        calls[service] += 1
        return JSONResponse({"service": service, "raw_path": request.scope["raw_path"].decode()})

    return app


def _gateway(calls: Counter[str]) -> FastAPI:
    behind = {name: _recording(calls, name) for name in ("serving", "request-logger", "metadata", "detectors", "batch")}
    platform = Platform(mode="standalone", bus=ReadyBus(), local_apps=behind)  # type: ignore[arg-type]
    app: FastAPI = create_app(GatewaySettings(auth=AUTH_OFF), platform)
    return app


def _named_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every gateway route with a namespace or name in its path, documented or not."""
    found = []
    for context in iter_route_contexts(app.routes):  # the routes of every included router, as mounted
        path = context.path or ""
        if isinstance(context.original_route, APIRoute) and ("{namespace}" in path or "{name}" in path):
            found += [(method, path) for method in sorted(context.original_route.methods or ())]
    return found


VALID_PARAMS = {
    "namespace": "seldon",
    "name": "iris",
    "detectorName": "iris-outlier",
    "jobName": "loadtest-1",
    "explanation_id": "3f0c8f0e-8c1a-4f44-9d7e-0b7b3c0d5a11",
}


def _requests(template: str) -> list[tuple[str, str]]:
    """(which parameter is bad, path) for each hostile value in each name parameter; the other one valid."""
    out = []
    for param in ("namespace", "name", "detectorName", "explanation_id", "jobName"):
        if "{" + param + "}" in template:
            for bad in HOSTILE:
                if template.endswith("/users/{name}") and bad == "Iris":
                    continue  # upper case is a valid account name (only Kubernetes names are lower case)
                out.append((param, template.replace("{" + param + "}", bad).format(**VALID_PARAMS)))
    return out


async def test_every_route_with_a_name_refuses_hostile_names_and_calls_no_service() -> None:
    calls: Counter[str] = Counter()
    app = _gateway(calls)
    routes = _named_routes(app)
    assert len(routes) >= 35, routes  # namespaces, both kinds' CRUD, validate, rollouts, predict, resources, requests
    documented = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    assert {(m, p) for m, p in documented if "{namespace}" in p or "{name}" in p} <= set(
        routes
    )  # no router was left out here
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        answers: list[tuple[str, str, int, Any]] = []
        for method, template in routes:
            for param, path in _requests(template):
                body: dict[str, Any] | None = {} if method in ("POST", "PUT") else None
                answer = await client.request(method, path, json=body)
                answers.append((method, path, answer.status_code, answer.json()))
                assert 400 <= answer.status_code < 500, (method, path, answer.text)
                if answer.status_code == 422 and answer.json()["reason"] == "unprocessable":
                    assert answer.json()["details"][0]["loc"] == f"path.{param}", (method, path, answer.text)
        assert sum(calls.values()) == 0, calls
        # Most are refused by the name rule itself; the rest never matched a route (an encoded slash splits the
        # segment, a plain `..` is resolved by the client) and are 404/405.
        by_rule = [a for a in answers if a[2] == 422]
        assert len(by_rule) > 0.8 * len(answers), [a for a in answers if a[2] != 422][:5]

        # The spy works: a good name does reach the serving service, at the path rebuilt from the parameters.
        ok = await client.get(f"{API}/namespaces/seldon/inferenceservices/iris/resources", params={"view": "processes"})
        assert ok.json() == {
            "service": "serving",
            "raw_path": "/api/v1alpha1/namespaces/seldon/inferenceservices/iris/resources",
        }
        assert calls == Counter({"serving": 1})
        # An explanation id is a UUID at the door, forwarded in its canonical form.
        explanation_id = VALID_PARAMS["explanation_id"]
        one = await client.get(f"{API}/namespaces/seldon/seldondeployments/iris/explanations/{explanation_id.upper()}")
        assert one.json() == {
            "service": "detectors",
            "raw_path": f"/api/v1alpha1/namespaces/seldon/seldondeployments/iris/explanations/{explanation_id}",
        }


@pytest.mark.parametrize("plural", ["inferenceservices", "seldondeployments"])
async def test_issue_17_control_character_on_resources_is_a_422_not_a_500(plural: str) -> None:
    calls: Counter[str] = Counter()
    app = _gateway(calls)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        answer = await client.get(f"{API}/namespaces/0/{plural}/%04/resources")
    assert answer.status_code == 422
    assert answer.json()["message"] == (
        "invalid request: path.name: must consist of lower case letters, digits and '-', and start and end with a "
        "letter or digit"
    )
    assert sum(calls.values()) == 0


async def test_forwarded_subpaths_are_re_encoded_and_dot_segments_refused() -> None:
    calls: Counter[str] = Counter()
    app = _gateway(calls)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        for path in (f"{API}/model/metadata/%2E%2E/%2E%2E/admin", f"{API}/requests/%2E%2E"):
            refused = await client.get(path)
            assert refused.status_code == 400 and refused.json()["reason"] == "unsafe_path", refused.text
        assert sum(calls.values()) == 0
        # A decoded `?` in the matched path goes on as part of the path, never as a query.
        kept = await client.get(f"{API}/model/metadata/runtime%3FDeploymentName%3Dx", params={"pageSize": "1"})
        assert kept.json() == {
            "service": "metadata",
            "raw_path": "/api/v1alpha1/model/metadata/runtime%3FDeploymentName%3Dx",
        }
        per_deployment = await client.get(f"{API}/namespaces/seldon/seldondeployments/iris/requests")
        assert per_deployment.json()["raw_path"] == "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/requests"
    assert calls == Counter({"metadata": 1, "request-logger": 1})
