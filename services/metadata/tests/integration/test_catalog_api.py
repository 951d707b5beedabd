"""The catalog API on real PostgreSQL: CRUD, both uniqueness rules, schema validation, events published."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.codec import Event
from warden_common.events import MODEL_DELETED, MODEL_REGISTERED, MODEL_UPDATED, decode_data_as
from warden_common.events.catalog import ModelUpdated

from .conftest import API, MetadataHarness, eventually

pytestmark = pytest.mark.integration

IRIS: dict[str, Any] = {
    "URI": "gs://seldon-models/sklearn/iris",
    "name": "iris",
    "version": "2.0",
    "artifactType": "SKLEARN",
    "taskType": "classification",
    "tags": {"author": "Jon", "team": "ml"},
    "metrics": {"accuracy": 0.97},
    "project": "default",
    "predictionSchema": {
        "requests": [
            {"name": "sepal length", "type": "REAL", "dataType": "FLOAT"},
            {
                "name": "colour",
                "type": "CATEGORICAL",
                "dataType": "INT",
                "nCategories": "2",
                "categoryMap": {"0": "red", "1": "blue"},
            },
        ],
        "responses": [{"name": "probs", "type": "PROBA", "schema": [{"name": "setosa"}, {"name": "versicolor"}]}],
    },
}


async def _list(harness: MetadataHarness, **params: Any) -> dict[str, Any]:
    response = await harness.client.get(API, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_read_update_delete(harness: MetadataHarness, collected_events: list[Event]) -> None:
    created = await harness.client.post(API, json=IRIS)
    assert created.status_code == 200, created.text
    assert created.json() == {}

    [model] = (await _list(harness, URI=IRIS["URI"]))["models"]
    assert {k: model[k] for k in IRIS if k != "predictionSchema"} == {
        k: v for k, v in IRIS.items() if k != "predictionSchema"
    }
    assert model["predictionSchema"]["requests"][1]["categoryMap"] == {"0": "red", "1": "blue"}
    assert model["predictionSchema"]["requests"][1]["nCategories"] == "2"
    assert model["creationTime"].endswith("Z")

    changed = {**model, "version": "2.1", "tags": {"author": "Ann"}, "metrics": {"accuracy": 0.99}}
    updated = await harness.client.put(API, json=changed)
    assert updated.status_code == 200, updated.text
    [after] = (await _list(harness, URI=IRIS["URI"]))["models"]
    assert (after["version"], after["tags"], after["metrics"]) == ("2.1", {"author": "Ann"}, {"accuracy": 0.99})
    assert after["creationTime"] == model["creationTime"]

    deleted = await harness.client.delete(API, params={"URI": IRIS["URI"], "project": "default"})
    assert deleted.status_code == 200, deleted.text
    assert (await _list(harness, URI=IRIS["URI"]))["models"] == []
    again = await harness.client.delete(API, params={"URI": IRIS["URI"]})
    assert again.status_code == 404 and again.json()["reason"] == "model_not_found"

    async def all_three() -> bool:
        return [e.get_type() for e in collected_events] == [MODEL_REGISTERED, MODEL_UPDATED, MODEL_DELETED]

    await eventually(all_three, "the registered, updated and deleted events")
    update = decode_data_as(collected_events[1], ModelUpdated)
    assert sorted(update.changed_fields) == ["metrics", "tags", "version"]
    registered = collected_events[0].get_data()
    assert isinstance(registered, dict)
    assert registered["uri"] == IRIS["URI"]


async def test_update_of_unknown_model_is_404(harness: MetadataHarness) -> None:
    response = await harness.client.put(API, json={"URI": "s3://nowhere/model"})
    assert response.status_code == 404
    assert "s3://nowhere/model" in response.json()["message"]


async def test_same_uri_twice_is_409_naming_the_model(harness: MetadataHarness) -> None:
    assert (await harness.client.post(API, json=IRIS)).status_code == 200
    clash = await harness.client.post(API, json={**IRIS, "name": "other", "version": "9"})
    assert clash.status_code == 409
    body = clash.json()
    assert body["reason"] == "model_conflict" and body["details"]["field"] == "URI"
    assert body["details"]["existing"]["name"] == "iris"
    assert IRIS["URI"] in body["message"] and "'default'" in body["message"]


async def test_same_name_and_version_twice_is_409_naming_the_model(harness: MetadataHarness) -> None:
    assert (await harness.client.post(API, json=IRIS)).status_code == 200
    clash = await harness.client.post(API, json={**IRIS, "URI": "gs://elsewhere/iris"})
    assert clash.status_code == 409
    body = clash.json()
    assert body["details"]["field"] == "name,version"
    assert body["details"]["existing"]["URI"] == IRIS["URI"]
    assert IRIS["URI"] in body["message"]

    # An update into someone else's (name, version) is refused the same way.
    assert (await harness.client.post(API, json={**IRIS, "URI": "gs://b/iris", "version": "3.0"})).status_code == 200
    moved = await harness.client.put(API, json={**IRIS, "URI": "gs://b/iris"})
    assert moved.status_code == 409 and moved.json()["details"]["existing"]["URI"] == IRIS["URI"]
    # Models without a version do not clash with each other (no version, nothing to compare).
    for i in range(2):
        assert (await harness.client.post(API, json={"URI": f"gs://c/{i}", "name": "unversioned"})).status_code == 200


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ({"requests": [{"name": "x", "type": "REALISH"}]}, "predictionSchema.requests[0].type"),
        ({"requests": [{"type": "REAL"}]}, "predictionSchema.requests[0].name"),
        (
            {"responses": [{"name": "p", "type": "REAL", "dataType": "DOUBLE"}]},
            "predictionSchema.responses[0].dataType",
        ),
        (
            {"requests": [{"name": "g", "type": "CATEGORICAL", "nCategories": 2, "categoryMap": {"0": "a", "7": "b"}}]},
            "predictionSchema.requests[0].categoryMap.7",
        ),
        ({"requests": [{"name": "img", "type": "TENSOR"}]}, "predictionSchema.requests[0].shape"),
        (
            {"requests": [{"name": "a", "type": "REAL"}, {"name": "a", "type": "TEXT"}]},
            "predictionSchema.requests[1].name",
        ),
        ({"requests": [{"name": "a", "type": "REAL", "nCategories": 3}]}, "predictionSchema.requests[0].nCategories"),
        ({"requests": [{"name": "a", "type": "REAL", "colour": "red"}]}, "predictionSchema.requests[0].colour"),
    ],
)
async def test_bad_prediction_schema_is_422_pointing_at_the_field(
    harness: MetadataHarness, schema: dict[str, Any], field: str
) -> None:
    response = await harness.client.post(API, json={"URI": "gs://m/1", "predictionSchema": schema})
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in [d["field"] for d in body["details"]]
    assert field in body["message"] or len(body["details"]) > 1
    assert (await _list(harness))["models"] == []


async def test_bad_fields_are_422(harness: MetadataHarness) -> None:
    for body, field in [
        ({"name": "no uri"}, "URI"),
        ({"URI": "a", "artifactType": "KERAS"}, "artifactType"),
        ({"URI": "a", "metrics": {"acc": "high"}}, "metrics.acc"),
        ({"URI": "a", "tags": {"k": 1}}, "tags.k"),
        ({"URI": "a\x00b"}, "URI"),
    ]:
        response = await harness.client.post(API, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in [d["field"] for d in response.json()["details"]], (body, response.json())
    not_json = await harness.client.post(API, content=b"{nope", headers={"content-type": "application/json"})
    assert not_json.status_code == 400


async def test_a_nul_in_a_query_parameter_is_refused_naming_it(harness: MetadataHarness) -> None:
    for method, params, status, field in [
        ("GET", {"URI": "a\x00b"}, 422, "URI"),
        ("GET", {"name": "\x00"}, 422, "name"),
        ("GET", {"tags[owner]": "a\x00"}, 400, "tags[owner]"),
        ("DELETE", {"URI": "gs://m/1", "project": "p\x00"}, 422, "project"),
    ]:
        response = await harness.client.request(method, API, params=params)
        assert response.status_code == status, (params, response.text)
        assert field in response.text, (params, response.text)


async def test_bodies_over_the_limits_are_refused(harness: MetadataHarness) -> None:
    nested: Any = "leaf"
    for _ in range(70):
        nested = {"k": nested}
    for method in ("POST", "PUT"):
        deep = await harness.client.request(method, API, json={"URI": "gs://m/deep", "tags": nested})
        assert deep.status_code == 422 and deep.json()["reason"] == "body_too_deep", deep.text
        huge = await harness.client.request(method, API, content=b" " * (11 * 1024 * 1024))
        assert huge.status_code == 413 and "exceeds the limit of" in huge.json()["message"], huge.text
    assert (await _list(harness))["models"] == []


async def test_snake_case_prediction_schema_is_accepted_and_served_camel_case(harness: MetadataHarness) -> None:
    schema = {
        "requests": [
            {
                "name": "g",
                "type": "CATEGORICAL",
                "data_type": "INT",
                "n_categories": 2,
                "category_map": {"0": "F", "1": "M"},
            }
        ],
        "responses": [{"name": "img", "type": "TENSOR", "shape": [28, 28, 1]}],
    }
    assert (await harness.client.post(API, json={"URI": "gs://m/snake", "predictionSchema": schema})).status_code == 200
    [model] = (await _list(harness))["models"]
    assert model["predictionSchema"] == {
        "requests": [
            {
                "name": "g",
                "type": "CATEGORICAL",
                "dataType": "INT",
                "nCategories": "2",
                "categoryMap": {"0": "F", "1": "M"},
            }
        ],
        "responses": [{"name": "img", "type": "TENSOR", "shape": ["28", "28", "1"]}],
    }


async def test_list_filters_and_mask(harness: MetadataHarness) -> None:
    for i, (artifact, author) in enumerate([("SKLEARN", "Jon"), ("XGBOOST", "Ann"), ("SKLEARN", "Ann")]):
        body = {
            "URI": f"gs://m/{i}",
            "name": f"m{i}",
            "version": "1",
            "artifactType": artifact,
            "tags": {"author": author},
        }
        body["metrics"] = {"auc": 0.5 + i / 10}
        body["project"] = "p1" if i else "p0"
        assert (await harness.client.post(API, json=body)).status_code == 200

    def uris(body: dict[str, Any]) -> list[str]:
        return [m["URI"] for m in body["models"]]

    assert uris(await _list(harness, artifactType="SKLEARN")) == ["gs://m/0", "gs://m/2"]
    assert uris(await _list(harness, **{"tags[author]": "Ann"})) == ["gs://m/1", "gs://m/2"]
    assert uris(await _list(harness, **{"metrics[auc]": "0.6"})) == ["gs://m/1"]
    assert uris(await _list(harness, project="p1", artifactType="SKLEARN")) == ["gs://m/2"]
    # `query` takes precedence over every other filter (seed docs §6.7.1.3).
    assert uris(await _list(harness, project="p0", query="tags[author]=Ann")) == ["gs://m/1", "gs://m/2"]
    masked = await _list(harness, listMask="name,URI", name="m1")
    assert masked["models"] == [{"URI": "gs://m/1", "name": "m1"}]
    ordered = await _list(harness, orderBy="name desc")
    assert uris(ordered) == ["gs://m/2", "gs://m/1", "gs://m/0"]
    bad_order = await harness.client.get(API, params={"orderBy": "colour"})
    assert bad_order.status_code == 400 and bad_order.json()["details"]["field"] == "orderBy"


@pytest.mark.parametrize(
    ("path", "param"),
    [("", "URI"), ("", "name"), ("", "project"), ("/runtime", "DeploymentNamespace"), ("/runtime", "ModelURI")],
)
async def test_a_nul_in_a_query_is_422_naming_it_not_a_database_error(
    harness: MetadataHarness, path: str, param: str
) -> None:
    # Found by fuzzing: PostgreSQL text cannot hold NUL, and the filter reached the query (a 500).
    response = await harness.client.get(API + path, params={param: "ns\x00x"})
    assert response.status_code == 422, response.text
    assert param in response.text
