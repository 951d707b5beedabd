"""A deployment deleted and created again under its name starts with a clean log; earlier lives stay reachable.

On both stores, with the real gateway (its own PostgreSQL schema, served on a socket) telling the logger which
deployment holds the name now. Events of Warden's serving runtime carry the deployment's uid; events of an
external executor carry none and belong to the current life when logged after it was created.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from warden_common.logstore import DeploymentLife, DeploymentRef, InstanceWrite, LogQuery
from warden_common.logstore.naming import INSTANCES, index_name
from warden_common.logstore.opensearch import OpenSearchLogStore
from warden_common.logstore.opensearch_mapping import instance_mappings

pytestmark = pytest.mark.integration

API = "/seldon-deploy/api/v1alpha1"
NAMESPACE = "lives"


def iris() -> dict[str, Any]:
    return {
        "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
        "metadata": {"name": "iris", "namespace": NAMESPACE},
        "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100, "graph": {
            "name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": "gs://seldon-models/sklearn/iris"}}]},
    }  # fmt: skip


def headers(kind: str, rid: str, when: datetime, uid: str | None) -> dict[str, str]:
    found = {
        "Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Time": when.isoformat(),
        "Ce-Type": f"io.seldon.serving.inference.{kind}", "Ce-Source": "http://executor/", "Ce-Requestid": rid,
        "Ce-Inferenceservicename": "iris", "Ce-Namespace": NAMESPACE, "Content-Type": "application/json",
    }  # fmt: skip
    if uid is not None:
        found["Ce-Deploymentuid"] = uid
    return found


async def test_a_search_by_name_shows_the_current_deployment_and_filters_reach_the_earlier_one(
    start_logger: Any, gateway_url: str
) -> None:
    logger = await start_logger(upstreams={"gateway": gateway_url})
    async with httpx.AsyncClient(base_url=gateway_url + API) as gateway:
        assert (await gateway.post("/namespaces", json={"name": NAMESPACE})).status_code == 201
        created = await gateway.post(f"/namespaces/{NAMESPACE}/seldondeployments", json=iris())
        assert created.status_code == 201, created.text
        first_uid = created.json()["metadata"]["uid"]
        assert (await gateway.delete(f"/namespaces/{NAMESPACE}/seldondeployments/iris")).status_code == 200
        created = await gateway.post(f"/namespaces/{NAMESPACE}/seldondeployments", json=iris())
        assert created.status_code == 201, created.text
        second = created.json()["metadata"]
        second_uid, since = second["uid"], datetime.fromisoformat(second["creationTimestamp"])
        assert second_uid != first_uid

        logged = {  # request id -> (time, uid it was served with)
            "first-life": (since - timedelta(minutes=10), first_uid),
            "external-before": (since - timedelta(minutes=10), None),
            "second-life": (since + timedelta(seconds=1), second_uid),
            "external-after": (since + timedelta(seconds=2), None),
            # The first deployment's processes answering a last call after the recreate: its uid says whose it is.
            "first-life-late": (since + timedelta(seconds=3), first_uid),
        }
        for rid, (when, uid) in logged.items():
            for kind, body in (
                ("request", {"data": {"ndarray": [[1.0, 2.0]]}}),
                ("response", {"data": {"ndarray": [[1]]}}),
            ):
                sent = await logger.post_event(headers(kind, rid, when, uid), body)
                assert sent.status_code == 200, sent.text

        one_deployment = f"/api/v1alpha1/namespaces/{NAMESPACE}/seldondeployments/iris/requests"

        async def found(path: str = one_deployment, **params: Any) -> set[str]:
            page = await logger.search(path, **params)
            assert page["total"] == len(page["requests"])
            return {hit["requestId"] for hit in page["requests"]}

        current = {"second-life", "external-after"}
        assert await found() == current
        assert await found("/api/v1alpha1/requests", namespace=NAMESPACE, name="iris") == current
        assert await found(uid=second_uid) == current
        assert await found(uid=first_uid) == {"first-life", "first-life-late"}
        assert await found(allLives="true") == set(logged)
        window = {"start": (since - timedelta(minutes=11)).isoformat(), "end": since.isoformat()}
        assert await found(allLives="true", **window) == {"first-life", "external-before"}
        assert await found(**window) == set()  # a time window alone stays within the current deployment
        assert await found("/api/v1alpha1/requests", uid=first_uid) == {"first-life", "first-life-late"}

        both = await logger.client.get(one_deployment, params={"uid": first_uid, "allLives": "true"})
        assert both.status_code == 400 and both.json()["details"] == {"param": "uid"}

        # No deployment holds the name any more: nothing is current, so every life shows.
        assert (await gateway.delete(f"/namespaces/{NAMESPACE}/seldondeployments/iris")).status_code == 200
        assert await found() == set(logged)


async def test_an_index_made_before_uids_were_logged_takes_them(opensearch_url: str, unique_name: str) -> None:
    """Its strict mapping lacks `deploymentUid` and `loadTest`: the store adds the fields at start instead of refusing
    documents."""
    prefix = f"{unique_name}-"
    ref = DeploymentRef(NAMESPACE, "iris")
    old = instance_mappings()
    del old["properties"]["deploymentUid"]
    del old["properties"]["loadTest"]
    async with httpx.AsyncClient(base_url=opensearch_url, timeout=30) as client:
        made = await client.put(f"/{index_name(prefix, INSTANCES, ref)}", json={"mappings": old})
        assert made.status_code == 200, made.text
        store = OpenSearchLogStore(opensearch_url, prefix=prefix)
        await store.start()
        try:
            fields = {"requestId": "r1", "timestamp": "2026-01-02T03:04:05+00:00", "deploymentUid": "uid-1",
                      "loadTest": "loadtest-1"}  # fmt: skip
            assert await store.write([InstanceWrite(ref, "r1-item-0", fields)]) == []
            await store.refresh()
            page = await store.search(LogQuery(namespace=NAMESPACE, deployment="iris", life=DeploymentLife("uid-1")))
            assert [hit.doc_id for hit in page.hits] == ["r1-item-0"]
            assert page.hits[0].document["loadTest"] == "loadtest-1"
        finally:
            await store.close()
            await client.delete(f"/{prefix}*", params={"expand_wildcards": "all"})
            for kind in ("inference-log", "inference-payload"):
                await client.delete(f"/_index_template/{prefix}{kind}")
