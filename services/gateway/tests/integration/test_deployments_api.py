"""Deployment CRUD over the real database and bus: objects kept as submitted, events committed with the change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from warden_common import topics
from warden_common.events import (
    DEPLOYMENT_CREATED,
    DEPLOYMENT_DELETED,
    DEPLOYMENT_STATUS_CHANGED,
    DEPLOYMENT_UPDATED,
    build_event,
)
from warden_common.events.deployments import DeploymentStatusChanged, PredictorSummary
from warden_common.testing.waiting import eventually

from .conftest import API, DATA, Gateway, load

pytestmark = pytest.mark.integration

SDEPS = f"{API}/namespaces/seldon/seldondeployments"
ISVCS = f"{API}/namespaces/seldon/inferenceservices"


async def test_a_yaml_manifest_is_stored_unchanged_with_managed_metadata(gateway: Gateway) -> None:
    manifest = (DATA / "iris-sklearn.yaml").read_bytes()
    created = await gateway.client.post(
        SDEPS,
        content=manifest,
        headers={"Content-Type": "application/yaml", "X-Warden-User": "alice"},
        params={"message": "first version"},
    )
    assert created.status_code == 201, created.text
    obj = created.json()
    submitted = yaml.safe_load(manifest)
    assert obj["spec"] == submitted["spec"]  # unknown fields (futureField, warden-test/extra) preserved
    assert obj["metadata"]["labels"] == {"team": "data-science"}
    meta = obj["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
    assert obj["status"]["state"] == "Creating"

    # Committed with the change, in the outbox; the relay publishes it right after (our subscriber polls for it).
    [event] = await gateway.wait_events(DEPLOYMENT_CREATED, "seldon/iris", 1)
    assert event["spec"] == obj
    assert event["kind"] == "SeldonDeployment" and event["uid"] == meta["uid"]
    assert event["actor"] == "alice" and event["comment"] == "first version"
    assert event["predictors"] == [
        {
            "name": "default",
            "model_uris": ["gs://seldon-models/sklearn/iris"],
            "traffic": 100,
            "shadow": False,
            "replicas": 1,
        }
    ]

    assert (await gateway.client.get(f"{SDEPS}/iris")).json() == obj
    listed = (await gateway.client.get(SDEPS)).json()
    assert listed["kind"] == "SeldonDeploymentList" and listed["items"] == [obj]
    assert (await gateway.client.get(ISVCS)).json()["items"] == []


async def test_update_bumps_generation_and_refuses_a_stale_resource_version(gateway: Gateway) -> None:
    created = (await gateway.client.post(SDEPS, json=load("iris-sklearn.yaml"))).json()
    changed = copy.deepcopy(created)
    changed["spec"]["predictors"][0]["graph"]["modelUri"] = "gs://seldon-models/sklearn/iris2"
    updated = await gateway.client.put(f"{SDEPS}/iris", json=changed, headers={"X-Warden-User": "bob"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["metadata"]["generation"] == 2
    assert updated.json()["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated.json()["spec"]["predictors"][0]["graph"]["modelUri"].endswith("iris2")

    stale = await gateway.client.put(f"{SDEPS}/iris", json=changed)  # still carries the first resourceVersion
    assert stale.status_code == 409
    assert "stale" in stale.json()["message"]

    [event] = await gateway.wait_events(DEPLOYMENT_UPDATED, "seldon/iris", 1)
    assert event["actor"] == "bob"
    assert event["predictors"][0]["model_uris"] == ["gs://seldon-models/sklearn/iris2"]

    # A metadata-only change keeps the generation.
    relabel = copy.deepcopy(updated.json())
    relabel["metadata"]["labels"] = {"team": "platform"}
    again = (await gateway.client.put(f"{SDEPS}/iris", json=relabel)).json()
    assert again["metadata"]["generation"] == 2 and again["metadata"]["labels"] == {"team": "platform"}


async def test_delete_publishes_and_forgets(gateway: Gateway) -> None:
    created = (await gateway.client.post(SDEPS, json=load("iris-sklearn.yaml"))).json()
    deleted = await gateway.client.delete(f"{SDEPS}/iris", params={"message": "retired"})
    assert deleted.status_code == 200
    assert (await gateway.client.get(f"{SDEPS}/iris")).status_code == 404
    assert (await gateway.client.delete(f"{SDEPS}/iris")).status_code == 404
    [event] = await gateway.wait_events(DEPLOYMENT_DELETED, "seldon/iris", 1)
    assert event["uid"] == created["metadata"]["uid"] and event["comment"] == "retired"


async def test_names_are_unique_across_kinds_and_errors_are_clear(gateway: Gateway) -> None:
    assert (await gateway.client.post(SDEPS, json=load("iris-sklearn.yaml"))).status_code == 201
    twice = await gateway.client.post(SDEPS, json=load("iris-sklearn.yaml"))
    assert twice.status_code == 409 and "already exists" in twice.json()["message"]

    isvc = load("iris-isvc-legacy.json")
    isvc["metadata"]["name"] = "iris"
    clash = await gateway.client.post(ISVCS, json=isvc)
    assert clash.status_code == 409 and "SeldonDeployment" in clash.json()["message"]
    wrong_kind = await gateway.client.get(f"{ISVCS}/iris")
    assert wrong_kind.status_code == 404 and "SeldonDeployment" in wrong_kind.json()["message"]


async def test_inference_services_are_stored_unchanged(gateway: Gateway) -> None:
    spec = load("iris-isvc.yaml")
    created = await gateway.client.post(ISVCS, json=spec)
    assert created.status_code == 201, created.text
    assert created.json()["spec"] == spec["spec"]  # wardenHint kept
    [event] = await gateway.wait_events(DEPLOYMENT_CREATED, "seldon/iris-kserve", 1)
    assert event["kind"] == "InferenceService"
    assert event["predictors"] == [
        {
            "name": "default",
            "model_uris": ["gs://kfserving-examples/models/sklearn/1.0/model"],
            "traffic": 100,
            "shadow": False,
            "replicas": 1,
        }
    ]


async def test_validate_endpoint_takes_a_get_with_a_body_as_the_sdk_sends_it(gateway: Gateway) -> None:
    valid = await gateway.client.request("GET", f"{SDEPS}/validate", json=load("iris-sklearn.yaml"))
    assert valid.status_code == 200 and valid.json()["code"] == 200
    bad = load("iris-sklearn.yaml")
    bad["spec"]["predictors"][0]["graph"].pop("modelUri")
    invalid = await gateway.client.request("GET", f"{SDEPS}/validate", json=bad)
    assert invalid.status_code == 422
    assert [d["path"] for d in invalid.json()["details"]] == ["spec.predictors[0].graph.modelUri"]
    assert (await gateway.client.get(SDEPS)).json()["items"] == []  # nothing stored


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"a: [unclosed", "application/yaml", 400),
        (b"", "application/json", 400),
        (b"<xml/>", "application/xml", 415),
        (b"[1, 2]", "application/json", 422),
    ],
)
async def test_unreadable_bodies_get_a_4xx_with_a_reason(
    gateway: Gateway, content: bytes, content_type: str, status: int
) -> None:
    answer = await gateway.client.post(SDEPS, content=content, headers={"Content-Type": content_type})
    assert answer.status_code == status, answer.text
    assert answer.json()["message"]


async def test_status_events_from_the_runtime_update_the_object(gateway: Gateway) -> None:
    created = (await gateway.client.post(SDEPS, json=load("iris-sklearn.yaml"))).json()
    payload = DeploymentStatusChanged(
        namespace="seldon",
        name="iris",
        kind="SeldonDeployment",
        uid=created["metadata"]["uid"],
        status="Available",
        previous_status="Creating",
        reason="1/1 replicas ready",
        predictors=[PredictorSummary(name="default", model_uris=["gs://seldon-models/sklearn/iris"], replicas=1)],
    )
    event = build_event(DEPLOYMENT_STATUS_CHANGED, payload, source="/warden/serving")
    await gateway.bus.publish(event, topic=topics.DEPLOYMENTS, key="seldon/iris")

    async def available() -> dict[str, Any] | None:
        obj = (await gateway.client.get(f"{SDEPS}/iris")).json()
        return obj if obj["status"]["state"] == "Available" else None

    obj = await eventually(available, "the observed Available state in the stored deployment")
    assert obj["status"]["description"] == "1/1 replicas ready"
    assert obj["status"]["deploymentStatus"]["default"]["replicas"] == 1
    # Observed state does not invalidate a client's read-modify-write.
    assert obj["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert (await gateway.client.put(f"{SDEPS}/iris", json=created)).status_code == 200


async def test_bodies_over_the_limits_are_refused_before_anything_is_stored(gateway: Gateway) -> None:
    """Issue 17: depth and items per array/object (422), size (413), JSON and YAML alike; nothing published."""
    manifest = load("iris-sklearn.yaml")
    manifest["metadata"]["annotations"] = {"deep": "x"}
    deep = copy.deepcopy(manifest)
    nested: Any = 1
    for _ in range(70):
        nested = [nested]
    deep["spec"]["predictors"][0]["graph"]["parameters"] = nested
    answer = await gateway.client.post(SDEPS, json=deep)
    assert answer.status_code == 422 and answer.json()["reason"] == "body_too_deep", answer.text
    as_yaml = await gateway.client.post(
        SDEPS, content=yaml.safe_dump(deep), headers={"content-type": "application/yaml"}
    )
    assert as_yaml.status_code == 422 and as_yaml.json()["reason"] == "body_too_deep", as_yaml.text
    rollout = await gateway.client.post(f"{SDEPS}/iris/canary", json={"modelUri": "gs://m", "predictor": {"x": nested}})
    assert rollout.status_code == 422 and rollout.json()["reason"] == "body_too_deep", rollout.text
    wide = await gateway.client.post(SDEPS, content=b'{"items": [' + b"0," * 1_100_000 + b"0]}",
                                     headers={"content-type": "application/json"})  # fmt: skip
    assert wide.status_code == 422 and wide.json()["reason"] == "body_too_many_items", wide.text
    huge = await gateway.client.post(
        SDEPS, content=b" " * (11 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert huge.status_code == 413 and "exceeds the limit of 10485760 bytes" in huge.json()["message"]
    assert (await gateway.client.get(SDEPS)).json()["items"] == []
    assert gateway.of_type(DEPLOYMENT_CREATED) == []
