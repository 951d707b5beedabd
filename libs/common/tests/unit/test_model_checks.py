"""The shared checks of what Warden can serve: model URIs, servers and model formats, artefact names."""

from __future__ import annotations

import pytest

from warden_common.model_servers import (
    BY_IMPLEMENTATION,
    implementation_problem,
    model_format_problem,
    server_for_artifacts,
)
from warden_common.objectstore import UnsupportedUri, model_uri_problem, object_store_for


@pytest.mark.parametrize(
    "uri",
    [
        "models/iris",
        "/srv/models/iris",
        "~/models/iris",
        "file:///srv/models/iris",
        "file://localhost/srv/models/iris",
        "s3://models/iris",
        "gs://seldon-models/sklearn/iris",
        "https://example.com/iris.joblib",
        "pvc://claim/iris",
    ],
)
def test_model_uris_warden_or_seldon_understand_pass(uri: str) -> None:
    assert model_uri_problem(uri) is None


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        (None, "required"),
        ("", "required"),
        ("   ", "required"),
        (42, "required"),
        ("ftp://host/iris", "unsupported scheme ftp://"),
        ("azure://container/iris", "unsupported scheme azure://"),
        ("S3://models/iris", "unsupported scheme S3://"),
        ("s3:/models/iris", "malformed: write s3://"),
        ("s3:models/iris", "malformed"),
        ("s3:///iris", "names no bucket"),
        ("gs://", "names no bucket"),
        ("https:///iris", "names no host"),
        ("file://host/iris", "file:///absolute/path"),
        ("file:///", "file:///absolute/path"),
        ("s3://models/ir is", "blanks"),
        ("s3://models/iris\n", "blanks"),
        ("http://[::1/iris", "Invalid IPv6"),
    ],
)
def test_unparseable_model_uris_say_why(uri: object, words: str) -> None:
    problem = model_uri_problem(uri)
    assert problem is not None and words in problem, problem


def test_every_fetched_scheme_has_an_object_store_and_others_are_named() -> None:
    for uri in ("s3://b/k", "file:///tmp/x", "/tmp/x"):
        object_store_for(uri)
    with pytest.raises(UnsupportedUri, match=r"cannot fetch gs:// URIs \(it reads local paths, file://, s3://\)"):
        object_store_for("gs://b/k")


def test_servers_formats_and_custom_classes() -> None:
    assert implementation_problem("SKLEARN_SERVER") is None and implementation_problem("doubler.Doubler") is None
    for bad in ("SKLEARN_SERVR", "TENSORFLOW_SERVER", "sklearn", "doubler.", ".Doubler", "a b.C", None, 3):
        problem = implementation_problem(bad)
        assert problem is not None and "SKLEARN_SERVER, XGBOOST_SERVER or `module.Class`" in problem, bad
    assert model_format_problem("sklearn") is None and model_format_problem("XGBoost") is None
    problem = model_format_problem("onnx")
    assert problem is not None and "sklearn, xgboost" in problem


def test_artefacts_tell_which_server_a_folder_is_for() -> None:
    assert server_for_artifacts({"model.json", "model-settings.json"}) is BY_IMPLEMENTATION["XGBOOST_SERVER"]
    assert server_for_artifacts({"model.pkl"}) is BY_IMPLEMENTATION["SKLEARN_SERVER"]
    assert server_for_artifacts({"weights.h5"}) is None
