"""What the explanation routes show in the public OpenAPI document: bodies, answers and their examples."""

from __future__ import annotations

from typing import Any

from warden_common.api_docs import error_responses, json_body, json_response
from warden_common.explainers import ExplainerSpec

_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
INCOME_ROW = [53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]

_EXPLAINER_EXAMPLE = {
    "type": "AnchorTabular",
    "referenceUri": "file:///home/me/.warden/demo/reference/income.npy",
    "catalogModelUri": "file:///home/me/.warden/demo/income-sklearn",
    "config": {"threshold": "0.95", "coverage_samples": "1000"},
}
EXPLAINER_BODY = json_body(ExplainerSpec.model_json_schema(by_alias=True), _EXPLAINER_EXAMPLE)
EXPLAINER = json_response(
    {**ExplainerSpec.model_json_schema(by_alias=True), "additionalProperties": True},
    {**_EXPLAINER_EXAMPLE, "segmentSize": 2, "backgroundRows": 100, "source": "api",
     "updatedAt": "2026-12-04T18:00:00+00:00"},
    "The deployment's explainer; `source` says whether the API or the deployment spec added it",
)  # fmt: skip
REMOVED = json_response({"type": "object"}, {}, "The explainer is removed")

PAYLOAD_BODY = json_body(
    {**_OBJECT, "description": "The prediction request to explain (Seldon, V2 or TensorFlow protocol); leave the "
     "body out and give `requestId` (and `instance`) to explain a logged request instead."},
    {"data": {"names": ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race",
                        "Sex", "Capital Gain", "Capital Loss", "Hours per week", "Country"],
              "ndarray": [INCOME_ROW]}},
    required=False,
)  # fmt: skip
_ANCHOR_EXAMPLE = {
    "meta": {"name": "AnchorTabular", "type": ["blackbox"], "explanations": ["local"], "params": {"threshold": 0.95}},
    "data": {
        "anchor": ["Marital Status = Separated"], "precision": 0.98, "coverage": 0.19,
        "raw": {"feature": [3], "examples": [{"covered_true": [INCOME_ROW], "covered_false": []}],
                "instance": INCOME_ROW, "prediction": [0]},
    },
    "explanationId": "3f0c8f0e-8c1a-4f44-9d7e-0b7b3c0d5a11",
}  # fmt: skip
EXPLAIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: json_response(_OBJECT, _ANCHOR_EXAMPLE, "The explanation (alibi's `{meta, data}`) and its `explanationId`"),
    202: json_response(
        {"type": "object", "properties": {"id": {"type": "string"}, "status": {"const": "running"}}},
        {"id": "3f0c8f0e-8c1a-4f44-9d7e-0b7b3c0d5a11", "status": "running"},
        "Still running: poll `Location` (`explanations/{id}`, relative to this URL)",
    ),
    **error_responses(400, 404, 502, 503, 504),
}
_STORED_EXAMPLE = {
    "id": "3f0c8f0e-8c1a-4f44-9d7e-0b7b3c0d5a11", "status": "succeeded", "namespace": "seldon",
    "kind": "SeldonDeployment", "deployment": "income", "requestId": "5f1b2c3d-7a8e-4b9c-8d0e-1f2a3b4c5d6e",
    "instance": 0, "explainerType": "AnchorTabular", "createdAt": "2026-12-04T18:00:00+00:00",
    "finishedAt": "2026-12-04T18:00:01+00:00", "explanation": {"meta": {}, "data": {}},
}  # fmt: skip
_STORED_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "status": {"enum": ["running", "succeeded", "failed"]},
                   "explanation": _OBJECT, "error": _OBJECT},
}  # fmt: skip
EXPLANATION = json_response(_STORED_SCHEMA, _STORED_EXAMPLE, "One explanation; `error` says why a failed one failed")
EXPLANATIONS = json_response(
    {"type": "object", "properties": {"explanations": {"type": "array", "items": _STORED_SCHEMA}}},
    {"explanations": [_STORED_EXAMPLE]},
    "The explanations of a logged request, newest first",
)
