"""Issue 17: the per-deployment search routes check names at the door (422 naming the parameter), before the
logger service is even looked up (it is not started here, so reaching it would be a 503)."""

from __future__ import annotations

import httpx
import pytest

from warden_request_logger.main import create_app

HOSTILE = ["%04", "a%3Fb", "a%23b", "%2E%2E", "a%0Ab", "a%7Fb", "a%5Cb", "a%20b", "Iris", "a" * 300]


@pytest.mark.parametrize("plural", ["seldondeployments", "inferenceservices"])
@pytest.mark.parametrize("param", ["namespace", "name"])
@pytest.mark.parametrize("bad", HOSTILE)
async def test_a_hostile_name_is_a_422_before_the_search(plural: str, param: str, bad: str) -> None:
    names = {"namespace": "seldon", "name": "iris", param: bad}
    path = f"/api/v1alpha1/namespaces/{names['namespace']}/{plural}/{names['name']}/requests"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://logger") as client:
        answer = await client.get(path, params={"pageSize": 5})
    assert answer.status_code == 422, answer.text
    assert answer.json()["details"][0]["loc"] == f"path.{param}"


async def test_an_inference_service_name_must_start_with_a_letter() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://logger") as client:
        isvc = await client.get("/api/v1alpha1/namespaces/seldon/inferenceservices/0iris/requests")
        sdep = await client.get("/api/v1alpha1/namespaces/seldon/seldondeployments/0iris/requests")
    assert isvc.status_code == 422 and isvc.json()["message"].endswith("path.name: must start with a lower case letter")
    assert sdep.status_code == 503  # a valid SeldonDeployment name: it reaches the (not started) service
