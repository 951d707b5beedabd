"""Issue 17: every serving route with a name in its path (resources, the data plane incl. `{model}`/`{version}`)
refuses a bad name with a 422 naming it, before the runtime or the data plane is asked anything (recording fakes)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from warden_serving.api.resources import router as resources_router
from warden_serving.dataplane.api import router as dataplane_router
from warden_serving.main import create_app
from warden_serving.settings import ServingSettings

VALID = {"namespace": "seldon", "name": "iris", "model": "classifier", "version": "1"}
HOSTILE = ["%04", "a%3Fb", "a%23b", "a%2Fb", "%2E%2E", "a%0Ab", "a%7Fb", "a%5Cb", "a%20b", "a%3Ab", "a" * 300]


class Recorder:
    """Stands for the runtime and the data plane: counts every call, answers nothing useful."""

    def __init__(self, calls: Counter[str], name: str) -> None:
        self._calls, self._name = calls, name

    def __getattr__(self, attribute: str) -> Any:
        def call(*_: Any, **__: Any) -> None:
            self._calls[f"{self._name}.{attribute}"] += 1

        return call


def _routes() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for router in (dataplane_router, resources_router)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]


async def test_every_route_with_a_name_refuses_hostile_names_before_any_work() -> None:
    calls: Counter[str] = Counter()
    app = create_app(ServingSettings())  # no lifespan: nothing starts, the fakes below are all there is
    app.state.runtime = Recorder(calls, "runtime")
    app.state.dataplane = Recorder(calls, "dataplane")
    routes = _routes()
    assert len(routes) >= 14, routes
    checked = 0
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://serving") as client:
        for method, template in routes:
            for param in VALID:
                if "{" + param + "}" not in template:
                    continue
                for bad in HOSTILE:
                    path = template.format(**{**VALID, param: bad})
                    answer = await client.request(method, path, json={"data": {"ndarray": [[1]]}})
                    assert 400 <= answer.status_code < 500, (method, path, answer.text)
                    if answer.status_code == 422:
                        assert answer.json()["details"][0]["loc"] == f"path.{param}", (path, answer.text)
                        checked += 1
                        if path.startswith("/seldon/"):  # the data plane answers every call with its request id
                            assert answer.headers["Seldon-Puid"], path
        assert calls == Counter(), calls
        assert checked > 0.8 * len(routes) * len(HOSTILE)

        # The fakes do see a call with good names (so the zero above means something).
        await client.get("/api/v1alpha1/namespaces/seldon/seldondeployments/iris/resources")
    assert calls == Counter({"runtime.resources": 1})


@pytest.mark.parametrize("plural", ["inferenceservices", "seldondeployments"])
async def test_issue_17_control_character_on_resources_is_a_422(plural: str) -> None:
    calls: Counter[str] = Counter()
    app = create_app(ServingSettings())
    app.state.runtime = Recorder(calls, "runtime")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://serving") as client:
        answer = await client.get(f"/api/v1alpha1/namespaces/0/{plural}/%04/resources")
    assert answer.status_code == 422 and answer.json()["details"][0]["loc"] == "path.name"
    assert calls == Counter()
