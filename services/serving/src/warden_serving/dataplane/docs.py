"""What the data plane's routes show in the public OpenAPI document: each protocol's bodies and answers."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import Responses, error_responses, json_body, json_response
from warden_common.events.protocols import V2_DATATYPES

_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
ERRORS = error_responses(400, 404, 413, 503)

_SELDON_DATA: dict[str, Any] = {
    "type": "object",
    "description": "The tensor: `ndarray` (nested lists), `tensor` (`shape` + flat `values`) or `tftensor`.",
    "properties": {
        "names": {"type": "array", "items": {"type": "string"}},
        "ndarray": {"type": "array"},
        "tensor": {
            "type": "object",
            "required": ["shape", "values"],
            "properties": {
                "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "values": {"type": "array", "items": {"type": "number"}},
            },
        },
        "tftensor": {"type": "object", "description": "A TensorProto in its JSON form (`dtype`, `tensorShape`, ...)"},
    },
    "anyOf": [{"required": ["ndarray"]}, {"required": ["tensor"]}, {"required": ["tftensor"]}],
}
SELDON_MESSAGE: dict[str, Any] = {
    "type": "object",
    "description": "A Seldon protocol message: exactly one of `data`, `strData`, `jsonData`, `binData` (base64).",
    "properties": {
        "meta": {"type": "object"},
        "data": _SELDON_DATA,
        "strData": {"type": "string"},
        "jsonData": {},
        "binData": {"type": "string", "contentEncoding": "base64", "pattern": "^[A-Za-z0-9+/]*={0,2}$"},
    },
    "oneOf": [{"required": [key]} for key in ("data", "strData", "jsonData", "binData")],
}
_V2_TENSOR_DATA: dict[str, Any] = {
    "description": "Row-major tensor contents: a flat or nested list (or one value), matching `shape`",
    "anyOf": [{"type": "array"}, {"type": ["number", "string", "boolean"]}],
}
V2_REQUEST: dict[str, Any] = {
    "type": "object",
    "description": "An Open Inference Protocol (V2) inference request, as its JSON schema (`$inference_request`).",
    "required": ["inputs"],
    "properties": {
        "id": {"type": "string"},
        "parameters": {"type": "object"},
        "inputs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "shape", "datatype", "data"],
                "properties": {
                    "name": {"type": "string"},
                    "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                    "datatype": {"enum": sorted(V2_DATATYPES)},
                    "parameters": {"type": "object"},
                    "data": _V2_TENSOR_DATA,
                },
            },
        },
        "outputs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "parameters": {"type": "object"}},
            },
        },
    },
}
TF_REQUEST: dict[str, Any] = {
    "type": "object",
    "description": "A Tensorflow / KServe V1 request: `instances` (rows) or `inputs` (columns), as nested lists.",
    "properties": {"instances": {"type": "array"}, "inputs": {"type": "array"}, "signature_name": {"type": "string"}},
    "anyOf": [{"required": ["instances"]}, {"required": ["inputs"]}],
}
SELDON_BODY = json_body(SELDON_MESSAGE, {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}})
SELDON_ANSWER = json_response(
    {**_OBJECT, "description": "The model's Seldon message; `meta.puid` is the request id (also `Seldon-Puid`)"},
    {"meta": {"puid": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e"}, "data": {"names": ["t:0", "t:1", "t:2"],
     "ndarray": [[0.9, 0.08, 0.02]]}},
)  # fmt: skip
FEEDBACK_BODY = json_body(
    {
        "type": "object",
        "description": "Seldon feedback: the `request`, the `response`, a `reward` and/or the `truth`",
        "properties": {
            "request": {"type": "object"},
            "response": {"type": "object"},
            "reward": {"type": "number"},
            "truth": {"type": "object"},
        },
    },
    {"request": {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}, "truth": {"data": {"ndarray": [[1, 0, 0]]}}},
)
FEEDBACK_ANSWER = json_response(_OBJECT, {"meta": {"puid": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e"}, "data": {}})
V2_BODY = json_body(
    V2_REQUEST,
    {"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}]},
)
V2_ANSWER = json_response(
    _OBJECT,
    {"model_name": "classifier", "id": "6e2f0c3a-1c43-4f0e-9d7e-3b2b8c1a8d4e",
     "outputs": [{"name": "predict", "shape": [1], "datatype": "INT64", "data": [0]}]},
)  # fmt: skip
TF_BODY = json_body(TF_REQUEST, {"instances": [[5.1, 3.5, 1.4, 0.2]]})
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
