"""What Warden cannot run is refused at the door — create, update (PUT) and validate — with a 422 naming the field.

No predictors, a server Warden does not run (`SKLEARN_SERVR`, `TENSORFLOW_SERVER`), an unparseable model URI, and
for an InferenceService a predictor without a model, a framework or `modelFormat` Warden does not serve, a bad
`storageUri`. Enum problems list the accepted values.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_UPDATED

from .conftest import API, Gateway, load

pytestmark = pytest.mark.integration

Mutation = Callable[[dict[str, Any]], None]


def _graph(spec: dict[str, Any]) -> dict[str, Any]:
    graph: dict[str, Any] = spec["spec"]["predictors"][0]["graph"]
    return graph


def _isvc_model(spec: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = spec["spec"]["predictor"]["model"]
    return model


# (mutation, the field path of the 422, words the message must hold)
SELDON_CASES: list[tuple[Mutation, str, list[str]]] = [
    (lambda s: s["spec"].update(predictors=[]), "spec.predictors", ["at least one predictor"]),
    (
        lambda s: _graph(s).update(implementation="SKLEARN_SERVR"),
        "spec.predictors[0].graph.implementation",
        ["'SKLEARN_SERVR'", "SKLEARN_SERVER", "XGBOOST_SERVER", "module.Class"],
    ),
    (
        lambda s: _graph(s).update(implementation="TENSORFLOW_SERVER"),
        "spec.predictors[0].graph.implementation",
        ["'TENSORFLOW_SERVER' is not a model server Warden runs", "SKLEARN_SERVER"],
    ),
    (
        lambda s: _graph(s).pop("implementation"),
        "spec.predictors[0].graph.implementation",
        ["required", "SKLEARN_SERVER, XGBOOST_SERVER"],
    ),
    (
        lambda s: _graph(s).update(modelUri="ftp://models/iris"),
        "spec.predictors[0].graph.modelUri",
        ["unsupported scheme ftp://", "s3://", "file://"],
    ),
    (lambda s: _graph(s).update(modelUri="s3:/models/iris"), "spec.predictors[0].graph.modelUri", ["malformed"]),
    (lambda s: _graph(s).update(modelUri="s3:///iris"), "spec.predictors[0].graph.modelUri", ["no bucket"]),
    (lambda s: _graph(s).update(modelUri="gs://seldon models/x"), "spec.predictors[0].graph.modelUri", ["blanks"]),
    (lambda s: _graph(s).update(modelUri=""), "spec.predictors[0].graph.modelUri", ["required"]),
]

ISVC_CASES: list[tuple[Mutation, str, list[str]]] = [
    (lambda s: s["spec"]["predictor"].pop("model"), "spec.predictor", ["needs a model", "sklearn, xgboost"]),
    (
        lambda s: _isvc_model(s).update(modelFormat={"name": "sklaern"}),
        "spec.predictor.model.modelFormat.name",
        ["'sklaern'", "sklearn, xgboost"],
    ),
    (
        lambda s: s["spec"]["predictor"].update(model=None, tensorflow={"storageUri": "s3://models/tf"}),
        "spec.predictor.tensorflow",
        ["tensorflow models are not served by Warden", "sklearn, xgboost"],
    ),
    (
        lambda s: _isvc_model(s).update(storageUri="s3:models/iris"),
        "spec.predictor.model.storageUri",
        ["malformed"],
    ),
    (
        lambda s: _isvc_model(s).update(storageUri="azure://models/iris"),
        "spec.predictor.model.storageUri",
        ["unsupported scheme azure://"],
    ),
]

KINDS = {
    "seldondeployments": ("iris-sklearn.yaml", "iris", SELDON_CASES),
    "inferenceservices": ("iris-isvc.yaml", "iris-kserve", ISVC_CASES),
}
CASES = [
    pytest.param(plural, mutate, path, words, id=f"{plural}-{i}")
    for plural, (_, _, cases) in KINDS.items()
    for i, (mutate, path, words) in enumerate(cases)
]


def _assert_refused(answer: Any, path: str, words: list[str]) -> None:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["reason"] == "invalid_spec"
    problems = {d["path"]: d["message"] for d in body["details"]}
    assert path in problems, problems
    for word in words:
        assert word in problems[path], (word, problems[path])
    assert path in body["message"]


@pytest.mark.parametrize(("plural", "mutate", "path", "words"), CASES)
async def test_bad_input_is_refused_by_create_validate_and_update(
    gateway: Gateway, plural: str, mutate: Mutation, path: str, words: list[str]
) -> None:
    data, name, _ = KINDS[plural]
    collection = f"{API}/namespaces/seldon/{plural}"
    bad = load(data)
    mutate(bad)
    bad = {**bad, "spec": {k: v for k, v in bad["spec"].items() if v is not None}}
    if plural == "inferenceservices":
        bad["spec"]["predictor"] = {k: v for k, v in bad["spec"]["predictor"].items() if v is not None}

    _assert_refused(await gateway.client.post(collection, json=bad), path, words)
    _assert_refused(await gateway.client.post(f"{collection}/validate", json=bad), path, words)
    assert (await gateway.client.get(collection)).json()["items"] == []  # nothing stored

    good = (await gateway.client.post(collection, json=load(data))).json()
    changed = copy.deepcopy(bad)
    changed["metadata"]["resourceVersion"] = good["metadata"]["resourceVersion"]
    _assert_refused(await gateway.client.put(f"{collection}/{name}", json=changed), path, words)
    stored = (await gateway.client.get(f"{collection}/{name}")).json()
    assert stored["spec"] == good["spec"] and stored["metadata"]["generation"] == 1  # unchanged
    await gateway.wait_events(DEPLOYMENT_CREATED, f"seldon/{name}", 1)
    assert gateway.of_type(DEPLOYMENT_UPDATED, f"seldon/{name}") == []  # nothing published for the refused PUT


@pytest.mark.parametrize(
    "uri",
    [
        "gs://seldon-models/sklearn/iris",
        "s3://models/iris",
        "file:///srv/models/iris",
        "/srv/models/iris",
        "models/iris",
        "https://example.com/models/iris.joblib",
        "pvc://models-claim/iris",
    ],
)
async def test_model_uris_of_every_known_form_are_accepted(gateway: Gateway, uri: str) -> None:
    spec = load("iris-sklearn.yaml")
    _graph(spec)["modelUri"] = uri
    answer = await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments/validate", json=spec)
    assert answer.status_code == 200, answer.text


async def test_a_custom_mlserver_model_class_is_accepted(gateway: Gateway) -> None:
    spec = load("iris-sklearn.yaml")
    _graph(spec)["implementation"] = "doubler.Doubler"
    answer = await gateway.client.post(f"{API}/namespaces/seldon/seldondeployments", json=spec)
    assert answer.status_code == 201, answer.text
