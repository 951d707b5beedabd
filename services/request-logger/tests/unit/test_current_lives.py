"""Which life of a deployment name a search shows: the gateway's answers read into a `DeploymentLife` (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from warden_common.errors import ServiceUnavailable
from warden_common.logstore import DeploymentLife
from warden_common.upstreams import Upstreams
from warden_request_logger.lives import CurrentLives

UID = "5f0c1d1e-8a8e-4c8e-9a53-0d6f0f2b8e11"
OBJECT = {
    "kind": "InferenceService",
    "metadata": {"name": "a/b", "uid": UID, "creationTimestamp": "2026-01-02T03:04:05Z"},
}


def lives_answering(handler: httpx.MockTransport | None) -> CurrentLives:
    clients: dict[str, httpx.AsyncClient] = {}
    if handler is not None:
        clients["gateway"] = httpx.AsyncClient(transport=handler, base_url="http://gateway")
    return CurrentLives(Upstreams(clients, "WARDEN_LOGGER_"))


def gateway(seen: list[httpx.Request], answers: dict[str, httpx.Response]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        kind = request.url.raw_path.decode().split("/")[6]
        return answers.get(kind, httpx.Response(404, json={"code": 404, "message": "not found"}))

    return httpx.MockTransport(handle)


async def test_the_deployment_holding_the_name_in_either_kind() -> None:
    seen: list[httpx.Request] = []
    lives = lives_answering(gateway(seen, {"inferenceservices": httpx.Response(200, json=OBJECT)}))
    life = await lives.current("ns", "iris", authorization="Bearer t")
    assert life == DeploymentLife(UID, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert [r.url.raw_path.decode() for r in seen] == [
        "/seldon-deploy/api/v1alpha1/namespaces/ns/seldondeployments/iris",
        "/seldon-deploy/api/v1alpha1/namespaces/ns/inferenceservices/iris",
    ]
    assert all(r.headers["authorization"] == "Bearer t" for r in seen)  # the caller's rights, not the logger's


@pytest.mark.parametrize(
    ("namespace", "name", "asked"),
    [
        ("ns", "0", ["seldondeployments"]),  # an InferenceService name starts with a letter: `0` can only be an SDep
        ("ns", "a/b", []),  # no kind's name: nothing is asked (and no name is ever pasted into a URL)
        ("ns", "x" * 64, []),
        ("NS", "iris", []),
    ],
)
async def test_only_kinds_whose_name_rules_allow_the_name_are_asked(
    namespace: str, name: str, asked: list[str]
) -> None:
    seen: list[httpx.Request] = []
    assert await lives_answering(gateway(seen, {})).current(namespace, name) is None
    assert [r.url.path.split("/")[-2] for r in seen] == asked


async def test_no_deployment_holds_the_name() -> None:
    seen: list[httpx.Request] = []
    assert await lives_answering(gateway(seen, {})).current("ns", "gone") is None
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        ({"seldondeployments": httpx.Response(500, json={})}, "answered 500"),
        ({"seldondeployments": httpx.Response(200, json={"metadata": {"name": "x"}})}, "no metadata.uid"),
        ({"seldondeployments": httpx.Response(200, json={"metadata": {"uid": UID, "creationTimestamp": "soon"}})},
         "unreadable creationTimestamp"),
    ],
)  # fmt: skip
async def test_an_answer_the_logger_cannot_use_is_a_503_saying_what_is_wrong(
    answers: dict[str, httpx.Response], match: str
) -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ServiceUnavailable, match=match):
        await lives_answering(gateway(seen, answers)).current("ns", "iris")


async def test_an_unconfigured_or_unreachable_gateway_says_how_to_search_anyway() -> None:
    with pytest.raises(ServiceUnavailable, match=r"UPSTREAMS__GATEWAY.*allLives=true"):
        await lives_answering(None).current("ns", "iris")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServiceUnavailable, match=r"cannot be reached.*allLives=true"):
        await lives_answering(httpx.MockTransport(refuse)).current("ns", "iris")
