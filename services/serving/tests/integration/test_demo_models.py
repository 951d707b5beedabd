"""The demo models of explanations (issue 11) served by real MLServer processes: the text sentiment model takes raw
strings through the Seldon protocol (`ndarray` of strings, one or a column) and V2 (a BYTES tensor); the digits
model takes rows of 64 pixel floats."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from .harness import Serving, predictor, seldon_deployment

pytestmark = pytest.mark.integration


async def test_the_text_model_takes_strings_in_seldon_and_v2_and_bad_is_negative(
    serving: Serving, demo_models: dict[str, str]
) -> None:
    await serving.publish_spec("movies", seldon_deployment(serving.namespace, "movies", [
        predictor("default", "SKLEARN_SERVER", demo_models["text-sentiment"]),
    ]))  # fmt: skip
    await serving.wait_status("movies", "Available")
    url = serving.data_url("movies", "/api/v1.0/predictions")
    reviews = ["this film has bad actors", "this film has good actors"]
    for ndarray in (reviews, [[text] for text in reviews]):  # a list of strings, or a column of them
        answer = await serving.http.post(url, json={"data": {"names": ["Text review"], "ndarray": ndarray}})
        assert answer.status_code == 200, answer.text
        [[bad_negative, _], [good_negative, _]] = answer.json()["data"]["ndarray"]
        assert bad_negative > 0.5 > good_negative

    v2 = serving.data_url("movies", "/v2/models/movies/infer")
    body = {"inputs": [{"name": "review", "shape": [2], "datatype": "BYTES", "data": reviews}],
            "outputs": [{"name": "predict_proba"}]}  # fmt: skip
    answer = await serving.http.post(v2, json=body)
    assert answer.status_code == 200, answer.text
    probabilities = np.asarray(answer.json()["outputs"][0]["data"]).reshape(2, 2)
    assert probabilities[0, 0] > 0.5 > probabilities[1, 0]


async def test_the_digits_model_takes_rows_of_64_pixels(serving: Serving, demo_models: dict[str, str]) -> None:
    await serving.publish_spec("digits", seldon_deployment(serving.namespace, "digits", [
        predictor("default", "SKLEARN_SERVER", demo_models["digits-sklearn"]),
    ]))  # fmt: skip
    await serving.wait_status("digits", "Available")
    pixels, labels = load_digits(return_X_y=True)
    answer = await serving.http.post(
        serving.data_url("digits", "/api/v1.0/predictions"), json={"data": {"ndarray": pixels[:5].tolist()}}
    )
    assert answer.status_code == 200, answer.text
    assert np.argmax(answer.json()["data"]["ndarray"], axis=1).tolist() == labels[:5].tolist()
    assert np.load(demo_models["digits-reference"].removeprefix("file://")).shape[1] == 64
