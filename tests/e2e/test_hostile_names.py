"""Issue 17 against a real `warden up`: hostile names on the public routes are 4xx, and the services behind the
gateway never see them: the serving and request-logger apps count every request they get (Prometheus
`warden_http_requests_total`, by service), and those counts do not move."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
HOSTILE = ["%04", "a%3Fview%3Dprocesses", "a%23b", "a%2Fb", "%2E%2E", "a%0Ab", "a%7F", "a%5Cb", "a" * 300]


@pytest.fixture(scope="module")
def warden(module_warden: str) -> str:
    """One `warden up` for both tests: they create nothing, and compare request counts before and after."""
    return module_warden


def _requests_seen(base: str) -> dict[str, float]:
    """Requests each service's app has counted so far."""
    seen: dict[str, float] = {}
    for family in text_string_to_metric_families(httpx.get(f"{base}/metrics").text):
        if family.name == "warden_http_requests":
            for sample in family.samples:
                if sample.name == "warden_http_requests_total":
                    service = sample.labels["service"]
                    seen[service] = seen.get(service, 0) + sample.value
    return seen


def test_hostile_names_reach_no_service_behind_the_gateway(warden: str, api_headers: dict[str, str]) -> None:
    # Signed in as an administrator: every 4xx below is the name's, not a missing right's.
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        before = _requests_seen(warden)
        for plural in ("inferenceservices", "seldondeployments"):
            # The two requests: 500 InvalidURL before.
            regression = client.get(f"{API}/namespaces/0/{plural}/%04/resources")
            assert regression.status_code == 422, regression.text
            assert regression.json()["details"][0]["loc"] == "path.name"
            for bad in HOSTILE:
                for path in (
                    f"{API}/namespaces/{bad}/{plural}/iris/resources",
                    f"{API}/namespaces/seldon/{plural}/{bad}/resources",
                    f"{API}/namespaces/seldon/{plural}/{bad}/requests",
                    f"{API}/namespaces/{bad}/{plural}/iris/requests",
                    f"{API}/namespaces/seldon/{plural}/{bad}",
                ):
                    answer = client.get(path)
                    assert 400 <= answer.status_code < 500, (path, answer.text)
                for path in (f"{API}/namespaces/seldon/{plural}/{bad}/predict",
                             f"{API}/namespaces/{bad}/{plural}/iris/predict"):  # fmt: skip
                    answer = client.post(path, json={"data": {"ndarray": [[1, 2, 3, 4]]}})
                    assert 400 <= answer.status_code < 500, (path, answer.text)
        for dotted in (f"{API}/model/metadata/%2E%2E/x", f"{API}/requests/%2E%2E"):
            assert client.get(dotted).status_code == 400
        after = _requests_seen(warden)
        for service in ("serving", "request-logger", "metadata"):
            assert after.get(service, 0) == before.get(service, 0), (service, before, after)

        # The counters do move when a good name goes through (so the equality above means something).
        good = client.get(f"{API}/namespaces/seldon/seldondeployments/iris/resources")
        assert good.status_code == 404  # forwarded: serving has no such deployment running
        assert _requests_seen(warden)["serving"] == after.get("serving", 0) + 1
    anonymous = httpx.get(f"{warden}{API}/namespaces/seldon/seldondeployments/iris/resources")
    assert anonymous.status_code == 401  # auth is on: the answers above were given to a signed-in caller


def test_hostile_names_on_the_data_plane_are_422(warden: str, api_headers: dict[str, str]) -> None:
    anonymous = httpx.post(f"{warden}/seldon/seldon/iris/api/v1.0/predictions", json={"data": {"ndarray": [[1]]}})
    assert anonymous.status_code == 401  # auth is on: the data plane too
    with httpx.Client(base_url=warden, timeout=30, headers=api_headers) as client:
        for bad in HOSTILE:
            for path in (f"/seldon/{bad}/iris/api/v1.0/predictions", f"/seldon/seldon/{bad}/api/v1.0/predictions",
                         f"/seldon/seldon/iris/v2/models/{bad}/infer",
                         f"/seldon/seldon/iris/v2/models/m/versions/{bad}/infer"):  # fmt: skip
                answer = client.post(path, json={"data": {"ndarray": [[1, 2, 3, 4]]}})
                assert 400 <= answer.status_code < 500, (path, answer.text)
        too_big = client.post("/seldon/seldon/iris/api/v1.0/predictions", content=b"[" + b"1," * 6_000_000 + b"1]",
                              headers={"content-type": "application/json"})  # fmt: skip
        assert too_big.status_code == 413 and "exceeds the limit of" in too_big.json()["message"]
        assert too_big.headers["Seldon-Puid"]
        too_deep = client.post("/seldon/seldon/iris/api/v1.0/predictions", content=b"[" * 100 + b"]" * 100,
                               headers={"content-type": "application/json"})  # fmt: skip
        assert too_deep.status_code == 422 and too_deep.json()["reason"] == "body_too_deep"
        assert too_deep.headers["Seldon-Puid"]
