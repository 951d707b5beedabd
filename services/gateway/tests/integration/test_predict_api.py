"""`{base}/predict` proxies to the serving service's data plane; `predictcurl` prints the same call as curl;
`{base}/resources` is the serving service's. The serving app here is a stand-in that echoes what reached it.
"""

from __future__ import annotations

import shlex

import pytest

from .conftest import API, AuthGateway, Gateway, load

pytestmark = pytest.mark.integration

BASE = f"{API}/namespaces/seldon/seldondeployments/iris"
PAYLOAD = {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}


async def test_predict_returns_the_models_answer_from_the_seldon_protocol_path(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    answer = await gateway.client.post(f"{BASE}/predict", json=PAYLOAD, headers={"Seldon-Puid": "abc123"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["seldon-puid"] == "abc123"
    body = answer.json()
    assert body["data"] == {"ndarray": [[0.1, 0.9]]}
    assert body["meta"]["echo"] == {"path": "/seldon/seldon/iris/api/v1.0/predictions", "body": PAYLOAD}


async def test_predict_picks_the_protocol_path_of_an_inference_service(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/inferenceservices", json=load("iris-isvc.yaml"))
    base = f"{API}/namespaces/seldon/inferenceservices/iris-kserve"
    v1 = (await gateway.client.post(f"{base}/predict", json={"instances": [[1, 2, 3, 4]]})).json()
    assert v1["meta"]["echo"]["path"] == "/seldon/seldon/iris-kserve/v1/models/iris-kserve:predict"
    v2_payload = {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}
    v2 = (await gateway.client.post(f"{base}/predict", json=v2_payload)).json()
    assert v2["meta"]["echo"]["path"] == "/seldon/seldon/iris-kserve/v2/models/iris-kserve/infer"


async def test_predict_errors_are_4xx_with_a_reason(gateway: Gateway) -> None:
    missing = await gateway.client.post(f"{BASE}/predict", json=PAYLOAD)
    assert missing.status_code == 404 and "iris" in missing.json()["message"]
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    garbled = await gateway.client.post(
        f"{BASE}/predict", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert garbled.status_code == 400 and "JSON" in garbled.json()["message"]


async def test_predictcurl_is_a_ready_to_run_command_for_the_public_data_plane(gateway: Gateway) -> None:
    await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"))
    answer = await gateway.client.put(f"{BASE}/predictcurl", json=PAYLOAD)
    assert answer.status_code == 200, answer.text
    argv = shlex.split(answer.json())
    assert argv[:4] == ["curl", "-s", "-X", "POST"]
    assert argv[4] == "http://warden.test/seldon/seldon/iris/api/v1.0/predictions"
    assert argv[argv.index("-d") + 1] == '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}'
    assert "Authorization: Bearer $TOKEN" not in argv  # auth is off here: the command needs no token


async def test_predictcurl_with_auth_on_sends_a_token_from_the_shell(auth_gateway: AuthGateway) -> None:
    admin = await auth_gateway.admin()
    created = await auth_gateway.client.post(
        f"{API}/namespaces/seldon/seldondeployments", json=load("iris-sklearn.yaml"), headers=admin
    )
    assert created.status_code in (200, 201), created.text
    answer = await auth_gateway.client.put(f"{BASE}/predictcurl", json=PAYLOAD, headers=admin)
    assert answer.status_code == 200, answer.text
    argv = shlex.split(answer.json())
    assert argv[argv.index("-d") - 2 : argv.index("-d")] == ["-H", "Authorization: Bearer $TOKEN"]
    assert admin["Authorization"].removeprefix("Bearer ") not in answer.text  # never the caller's own token


async def test_resources_are_forwarded_to_the_serving_service(gateway: Gateway) -> None:
    answer = await gateway.client.get(f"{BASE}/resources", params={"component": "predictor"})
    assert answer.status_code == 200
    assert answer.json() == [{"component": "seldondeployments/seldon/iris", "query": "component=predictor"}]
