"""The official seldon-deploy-sdk 1.6, unchanged, drives Warden's model catalog over HTTP against `warden up`.

The SDK lives in its own venv (`scripts/sdk-venv`, pins that must never meet ours); each step runs it as a
subprocess with a small script and reads back JSON, so what is asserted is what the SDK itself parsed.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from warden_common.testing.auth import SDK_SIGN_IN, TEST_ADMIN, TEST_ADMIN_PASSWORD

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import ApiClient, Configuration, ModelMetadataServiceApi
    from seldon_deploy_sdk.models import V1Model, V1PredictionSchema, V1FeatureSchema
    from seldon_deploy_sdk.rest import ApiException

    base, user, password, step = sys.argv[1:5]
    api = ModelMetadataServiceApi(signed_in_client(base, user, password))

    def show(models):
        return [m.to_dict() for m in models]

    try:
        if step == "add":
            for uri, name, version, author, p1 in [
                ("gs://seldon-models/sklearn/iris", "iris", "2.0", "Jon", 0.9),
                ("gs://seldon-models/sklearn/iris-3", "iris", "3.0", "Seldon", 0.7),
                ("gs://seldon-models/xgboost/wine", "wine", "2.0", "Ann", 0.3),
            ]:
                schema = V1PredictionSchema(
                    requests=[V1FeatureSchema(name="sepal length", type="REAL", data_type="FLOAT")],
                    responses=[V1FeatureSchema(name="species", type="CATEGORICAL", n_categories="3",
                                               category_map={"0": "setosa", "1": "versicolor", "2": "virginica"})],
                )
                model = V1Model(uri=uri, name=name, version=version, artifact_type="SKLEARN",
                                task_type="classification", tags={"author": author}, metrics={"p1": p1},
                                prediction_schema=schema, project="default")
                api.model_metadata_service_create_model_metadata(model)
            out = {"ok": True}
        elif step == "anonymous":  # auth is on: without signing in the SDK is refused
            anonymous = ModelMetadataServiceApi(ApiClient(sdk_configuration(base, user, password)))
            try:
                anonymous.model_metadata_service_list_model_metadata()
                out = {"status": 200}
            except ApiException as exc:
                out = {"status": exc.status}
        elif step == "list":
            query = sys.argv[5]
            got = api.model_metadata_service_list_model_metadata(query=query)
            out = {"models": show(got.models), "next": got.next_page_token}
        elif step == "filter":
            got = api.model_metadata_service_list_model_metadata(name="iris", tags={"author": "Jon"})
            out = {"models": show(got.models)}
        elif step == "update":
            [model] = api.model_metadata_service_list_model_metadata(uri="gs://seldon-models/sklearn/iris").models
            model.version = "2.1"
            model.metrics = {"p1": 0.95}
            api.model_metadata_service_update_model_metadata(model)
            out = {"ok": True}
        elif step == "delete":
            api.model_metadata_service_delete_model_metadata("gs://seldon-models/xgboost/wine", project="default")
            out = {"ok": True}
        elif step == "runtime":
            got = api.model_metadata_service_list_runtime_metadata_for_model(model_uri="gs://nowhere")
            out = {"runtime": [r.to_dict() for r in (got.runtime_metadata or [])]}
        elif step == "conflict":
            try:
                api.model_metadata_service_create_model_metadata(V1Model(uri="gs://other", name="iris", version="3.0"))
                out = {"status": 200}
            except ApiException as exc:
                out = {"status": exc.status, "body": json.loads(exc.body)}
        else:
            raise SystemExit(f"unknown step {step}")
    except ApiException as exc:
        out = {"error": exc.status, "body": exc.body.decode() if isinstance(exc.body, bytes) else exc.body}
    print(json.dumps(out, default=str))
    """
)


def _sdk(sdk_python: Path, base: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(sdk_python), "-c", SDK_SCRIPT, base, TEST_ADMIN, TEST_ADMIN_PASSWORD, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    return result


def test_sdk_adds_lists_updates_and_deletes_models(sdk_python: Path, warden: str) -> None:
    assert _sdk(sdk_python, warden, "anonymous") == {"status": 401}
    assert _sdk(sdk_python, warden, "add") == {"ok": True}

    seed_query = _sdk(sdk_python, warden, "list", "name=iris AND version=2.0")["models"]
    assert [m["uri"] for m in seed_query] == ["gs://seldon-models/sklearn/iris"]
    iris = seed_query[0]
    assert iris["artifact_type"] == "SKLEARN" and iris["tags"] == {"author": "Jon"} and iris["metrics"] == {"p1": 0.9}
    assert iris["prediction_schema"]["responses"][0]["category_map"]["2"] == "virginica"
    assert iris["prediction_schema"]["responses"][0]["n_categories"] == "3"
    assert iris["creation_time"]  # parsed by the SDK as a datetime

    tags_and_metrics = _sdk(sdk_python, warden, "list", "metrics[p1]>0.5 AND tags[author]!=Seldon")["models"]
    assert [m["uri"] for m in tags_and_metrics] == ["gs://seldon-models/sklearn/iris"]
    either = _sdk(sdk_python, warden, "list", "(name=iris AND version=2.0) OR version=3.0")["models"]
    assert sorted(m["version"] for m in either) == ["2.0", "3.0"]
    assert [m["uri"] for m in _sdk(sdk_python, warden, "filter")["models"]] == ["gs://seldon-models/sklearn/iris"]

    assert _sdk(sdk_python, warden, "update") == {"ok": True}
    updated = _sdk(sdk_python, warden, "list", "uri=gs://seldon-models/sklearn/iris")["models"]
    assert (updated[0]["version"], updated[0]["metrics"]) == ("2.1", {"p1": 0.95})

    conflict = _sdk(sdk_python, warden, "conflict")
    assert conflict["status"] == 409 and "gs://seldon-models/sklearn/iris-3" in conflict["body"]["message"]

    assert _sdk(sdk_python, warden, "delete") == {"ok": True}
    remaining = _sdk(sdk_python, warden, "list", "project=default")["models"]
    assert sorted(m["uri"] for m in remaining) == [
        "gs://seldon-models/sklearn/iris",
        "gs://seldon-models/sklearn/iris-3",
    ]
    assert _sdk(sdk_python, warden, "runtime") == {"runtime": []}
