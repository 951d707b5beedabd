"""Inference payload protocols (protocols.md §3): Seldon, Open Inference (V2), TensorFlow/KServe V1, feedback.

An executor logs whatever protocol its deployment speaks under the same event type (`Ce-Protocol`
says which, but only from Seldon Core 1.14 and not from KServe), so the payload of an inference event
is a union; the discriminators below pick the member from the shape of the body itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from warden_common.events._base import PeerPayload

# --- Seldon protocol ----------------------------------------------------------------------------


class SeldonTensor(PeerPayload):
    shape: list[int]
    values: list[float]


class SeldonDefaultData(PeerPayload):
    """`data`: optional column names plus one of `ndarray`, `tensor`, `tftensor` (TensorProto as JSON)."""

    names: list[str] | None = None
    ndarray: list[Any] | None = None
    tensor: SeldonTensor | None = None
    tftensor: dict[str, Any] | None = None


class SeldonMetric(PeerPayload):
    """A custom metric; `type` is COUNTER, GAUGE or TIMER in every Seldon version we know of."""

    key: str
    type: str
    value: float
    tags: dict[str, str] | None = None


class SeldonMeta(PeerPayload):
    puid: str | None = None
    tags: dict[str, Any] | None = None
    routing: dict[str, int] | None = None
    request_path: dict[str, str] | None = Field(None, alias="requestPath")
    metrics: list[SeldonMetric] | None = None


class SeldonStatus(PeerPayload):
    """`status` is the enum name (`SUCCESS`/`FAILURE`) or its number, depending on the writer."""

    code: int | None = None
    info: str | None = None
    reason: str | None = None
    status: int | str | None = None


class SeldonMessage(PeerPayload):
    """A SeldonMessage as JSON: `status?`, `meta?` and one of `data`, `binData` (base64), `strData`, `jsonData`."""

    status: SeldonStatus | None = None
    meta: SeldonMeta | None = None
    data: SeldonDefaultData | None = None
    bin_data: str | None = Field(None, alias="binData")
    str_data: str | None = Field(None, alias="strData")
    json_data: Any = Field(None, alias="jsonData")


class SeldonFeedback(PeerPayload):
    """Feedback on an earlier prediction, correlated by its `Seldon-Puid`."""

    request: SeldonMessage | None = None
    response: SeldonMessage | None = None
    reward: float | None = None
    truth: SeldonMessage | None = None


# --- Open Inference Protocol (V2) ---------------------------------------------------------------

V2_DATATYPES = frozenset(
    {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"}
)
"""The datatypes the protocol defines; not enforced on input (we log what runtimes send)."""


class V2Tensor(PeerPayload):
    """An input of a request or an output of a response; `data` is flat or nested, row-major."""

    name: str
    shape: list[int]
    datatype: str
    parameters: dict[str, Any] | None = None
    data: Any = None


class V2RequestedOutput(PeerPayload):
    name: str
    parameters: dict[str, Any] | None = None


class V2InferenceRequest(PeerPayload):
    id: str | None = None
    parameters: dict[str, Any] | None = None
    inputs: list[V2Tensor]
    outputs: list[V2RequestedOutput] | None = None


class V2InferenceResponse(PeerPayload):
    model_name: str
    model_version: str | None = None
    id: str | None = None
    parameters: dict[str, Any] | None = None
    outputs: list[V2Tensor]


# --- TensorFlow Serving / KServe V1 -------------------------------------------------------------


class V1PredictRequest(PeerPayload):
    """`{"instances": [...]}` (row format) or `{"inputs": ...}` (columnar format)."""

    instances: list[Any] | None = None
    inputs: Any = None
    signature_name: str | None = None

    @model_validator(mode="after")
    def _has_instances_or_inputs(self) -> V1PredictRequest:
        if self.instances is None and self.inputs is None:
            raise ValueError("a V1 predict request needs 'instances' or 'inputs'")
        return self


class V1PredictResponse(PeerPayload):
    """`{"predictions": [...]}` (row format) or `{"outputs": ...}` (columnar format)."""

    predictions: list[Any] | None = None
    outputs: Any = None

    @model_validator(mode="after")
    def _has_predictions_or_outputs(self) -> V1PredictResponse:
        if self.predictions is None and self.outputs is None:
            raise ValueError("a V1 predict response needs 'predictions' or 'outputs'")
        return self


# --- Picking the protocol from the body ----------------------------------------------------------

SELDON, V2_REQUEST, V2_RESPONSE, V1_REQUEST, V1_RESPONSE = (
    "seldon",
    "v2-request",
    "v2-response",
    "v1-request",
    "v1-response",
)
PROTOCOL_TAGS = frozenset({SELDON, V2_REQUEST, V2_RESPONSE, V1_REQUEST, V1_RESPONSE})

_TAG_OF_MODEL: dict[type[PeerPayload], str] = {
    SeldonMessage: SELDON,
    V2InferenceRequest: V2_REQUEST,
    V2InferenceResponse: V2_RESPONSE,
    V1PredictRequest: V1_REQUEST,
    V1PredictResponse: V1_RESPONSE,
}


def _is_v2_tensor_list(value: Any) -> bool:
    """V2 tensors are objects with a `datatype`; V1 columnar `inputs`/`outputs` never are."""
    return isinstance(value, list) and bool(value) and all(isinstance(t, dict) and "datatype" in t for t in value)


def request_protocol(value: Any) -> str | None:
    """Protocol tag of a request body: V2 if `inputs` are V2 tensors, V1 if `instances`/`inputs`, else Seldon."""
    if isinstance(value, PeerPayload):
        return _TAG_OF_MODEL.get(type(value))
    if not isinstance(value, dict):
        return None
    if _is_v2_tensor_list(value.get("inputs")):
        return V2_REQUEST
    if "instances" in value or "inputs" in value:
        return V1_REQUEST
    return SELDON


def response_protocol(value: Any) -> str | None:
    """Protocol tag of a response body: V2 if `model_name` or V2 output tensors, V1 if `predictions`/`outputs`."""
    if isinstance(value, PeerPayload):
        return _TAG_OF_MODEL.get(type(value))
    if not isinstance(value, dict):
        return None
    if "model_name" in value or _is_v2_tensor_list(value.get("outputs")):
        return V2_RESPONSE
    if "predictions" in value or "outputs" in value:
        return V1_RESPONSE
    return SELDON


def _kserve_request_protocol(value: Any) -> str | None:
    tag = request_protocol(value)
    return V1_REQUEST if tag == SELDON else tag  # KServe has no Seldon protocol: report V1's missing fields


def _kserve_response_protocol(value: Any) -> str | None:
    tag = response_protocol(value)
    return V1_RESPONSE if tag == SELDON else tag


ExecutorRequest = Annotated[
    Annotated[SeldonMessage, Tag(SELDON)]
    | Annotated[V2InferenceRequest, Tag(V2_REQUEST)]
    | Annotated[V1PredictRequest, Tag(V1_REQUEST)],
    Discriminator(request_protocol),
]
"""What a Seldon Core executor logs as a request: Seldon, V2 or TensorFlow protocol."""

ExecutorResponse = Annotated[
    Annotated[SeldonMessage, Tag(SELDON)]
    | Annotated[V2InferenceResponse, Tag(V2_RESPONSE)]
    | Annotated[V1PredictResponse, Tag(V1_RESPONSE)],
    Discriminator(response_protocol),
]
"""What a Seldon Core executor logs as a response."""

KServeRequest = Annotated[
    Annotated[V2InferenceRequest, Tag(V2_REQUEST)] | Annotated[V1PredictRequest, Tag(V1_REQUEST)],
    Discriminator(_kserve_request_protocol),
]
"""What the KServe logger sends as a request: V1 or V2."""

KServeResponse = Annotated[
    Annotated[V2InferenceResponse, Tag(V2_RESPONSE)] | Annotated[V1PredictResponse, Tag(V1_RESPONSE)],
    Discriminator(_kserve_response_protocol),
]
"""What the KServe logger sends as a response: V1 or V2."""
