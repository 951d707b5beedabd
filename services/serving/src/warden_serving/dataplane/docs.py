"""What the data plane's routes show in the public OpenAPI document: each protocol's bodies and answers."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import Responses, error_responses, json_body, json_response

_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
ERRORS = error_responses(400, 404, 413, 503)

SELDON_BODY = json_body(
    {**_OBJECT, "description": "A Seldon protocol message: `data` (ndarray / tensor / names), `strData`, `jsonData`"},
    {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}},
)
SELDON_ANSWER = json_response(
    {**_OBJECT, "description": "The model's Seldon message; `meta.puid` is the request id (also `Seldon-Puid`)"},
    {"meta": {"puid": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e"}, "data": {"names": ["t:0", "t:1", "t:2"],
     "ndarray": [[0.9, 0.08, 0.02]]}},
)  # fmt: skip
FEEDBACK_BODY = json_body(
    {**_OBJECT, "description": "Seldon feedback: the `request`, the `response`, a `reward` and/or the `truth`"},
    {"request": {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}, "truth": {"data": {"ndarray": [[1, 0, 0]]}}},
)
FEEDBACK_ANSWER = json_response(_OBJECT, {"meta": {"puid": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e"}, "data": {}})
V2_BODY = json_body(
    {**_OBJECT, "description": "An Open Inference Protocol (V2) request: JSON `inputs` tensors"},
    {"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}]},
)
V2_ANSWER = json_response(
    _OBJECT,
    {"model_name": "classifier", "id": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e",
     "outputs": [{"name": "predict", "shape": [1], "datatype": "INT64", "data": [0]}]},
)  # fmt: skip
TF_BODY = json_body(
    {**_OBJECT, "description": "A Tensorflow / KServe V1 request: `instances`"}, {"instances": [[5.1, 3.5, 1.4, 0.2]]}
)
TF_ANSWER = json_response(_OBJECT, {"predictions": [0]})

SELDON: Responses = {200: SELDON_ANSWER, **ERRORS}
FEEDBACK: Responses = {200: FEEDBACK_ANSWER, **ERRORS}
V2: Responses = {200: V2_ANSWER, **ERRORS}
TF: Responses = {200: TF_ANSWER, **ERRORS}


# V2 health (Open Inference Protocol): 200 means yes, a 4xx means no; the body of a "no" is the common error.
LIVE: Responses = error_responses(404)  # 404: the deployment is not running
READY: Responses = {
    **error_responses(404),  # not running, or (per-model routes) a model it does not serve
    400: {**error_responses(400)[400], "description": "Running, but not every predictor has a ready replica yet"},
}
MODEL_METADATA: Responses = {
    200: json_response(
        _OBJECT, {"name": "classifier", "versions": [], "platform": "SKLEARN_SERVER", "inputs": [], "outputs": []}
    ),
    **error_responses(404),  # the deployment is not running, or does not serve the model
}
