"""Real peer traffic (protocols.md §1, §2, §5) decodes to the right typed events with the right correlation keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from warden_common.codec import decode_http, encode_http_binary, from_kafka_record
from warden_common.events import (
    InferenceExtensions,
    build_event,
    correlation_id,
    decode_data,
    decode_data_as,
)
from warden_common.events.detectors import OutlierDetected
from warden_common.events.protocols import (
    SeldonFeedback,
    SeldonMessage,
    V1PredictRequest,
    V1PredictResponse,
    V2InferenceRequest,
    V2InferenceResponse,
)
from warden_common.events.registry import OpaquePayload

PUID = "a8ea9850-7102-42c7-80d0-a6c26f1d8159"

# Exactly what a Seldon Core 1.18 executor POSTs for one prediction of the iris SKLEARN_SERVER model (binary mode).
SELDON_REQUEST_HEADERS = {
    "Ce-Id": "3c7e4b2a-6a8f-4f0e-b1d2-0c9e8f7a6b5d",
    "Ce-Specversion": "1.0",
    "Ce-Time": "2024-05-06T07:08:09.123456789Z",
    "Ce-Type": "io.seldon.serving.inference.request",
    "Ce-Source": "http://iris-default-0-classifier:8000/",
    "Ce-Modelid": "classifier",
    "Ce-Requestid": PUID,
    "Ce-Inferenceservicename": "iris",
    "Ce-Namespace": "seldon",
    "Ce-Endpoint": "default",
    "Ce-Protocol": "seldon",
    "Content-Type": "application/json",
}
SELDON_REQUEST_BODY = (
    b'{"data":{"names":["sepal_length","sepal_width","petal_length","petal_width"],"ndarray":[[5.1,3.5,1.4,0.2]]}}'
)
SELDON_RESPONSE_HEADERS = {
    **SELDON_REQUEST_HEADERS,
    "Ce-Id": "9d1f0e2c-5b4a-4c3d-8e7f-6a5b4c3d2e1f",  # a new id per event: only Ce-Requestid correlates
    "Ce-Time": "2024-05-06T07:08:09.223456789Z",
    "Ce-Type": "io.seldon.serving.inference.response",
}
SELDON_RESPONSE_BODY = (
    b'{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.9,0.09,0.01]]},'
    b'"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.18.2"}}}'
)


def test_seldon_executor_request_response_pair() -> None:
    request = decode_http(SELDON_REQUEST_HEADERS, SELDON_REQUEST_BODY)
    response = decode_http(SELDON_RESPONSE_HEADERS, SELDON_RESPONSE_BODY)

    assert request.get_type() == "io.seldon.serving.inference.request"
    assert response.get_type() == "io.seldon.serving.inference.response"
    assert request.get_id() != response.get_id()
    assert correlation_id(request) == correlation_id(response) == PUID
    assert request.get_source() == "http://iris-default-0-classifier:8000/"
    assert request.get_time() == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert request.get_datacontenttype() == "application/json"

    extensions = InferenceExtensions.of(request)
    assert extensions == InferenceExtensions(
        requestid=PUID,
        modelid="classifier",
        inferenceservicename="iris",
        namespace="seldon",
        endpoint="default",
        protocol="seldon",
    )
    assert extensions.as_attributes()["modelid"] == "classifier"

    payload = decode_data_as(request, SeldonMessage)
    assert payload.data is not None
    assert payload.data.names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert payload.data.ndarray == [[5.1, 3.5, 1.4, 0.2]]
    reply = decode_data_as(response, SeldonMessage)
    assert reply.meta is not None and reply.meta.request_path == {"classifier": "seldonio/sklearnserver:1.18.2"}
    assert reply.data is not None and reply.data.names == ["t:0", "t:1", "t:2"]


def test_seldon_executor_v2_and_tensorflow_payloads_under_the_same_types() -> None:
    v2_body = {"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [[5.1, 3.5, 1.4, 0.2]]}]}
    v2_reply = {
        "model_name": "classifier",
        "outputs": [{"name": "predict", "shape": [1], "datatype": "INT64", "data": [0]}],
    }
    request = decode_http({**SELDON_REQUEST_HEADERS, "Ce-Protocol": "v2"}, json.dumps(v2_body).encode())
    response = decode_http({**SELDON_RESPONSE_HEADERS, "Ce-Protocol": "v2"}, json.dumps(v2_reply).encode())
    assert isinstance(decode_data(request), V2InferenceRequest)
    assert decode_data_as(response, V2InferenceResponse).outputs[0].data == [0]

    tf_request = decode_http({**SELDON_REQUEST_HEADERS, "Ce-Protocol": "tensorflow"}, b'{"instances": [[1, 2]]}')
    tf_response = decode_http({**SELDON_RESPONSE_HEADERS, "Ce-Protocol": "tensorflow"}, b'{"predictions": [[0.5]]}')
    assert decode_data_as(tf_request, V1PredictRequest).instances == [[1, 2]]
    assert decode_data_as(tf_response, V1PredictResponse).predictions == [[0.5]]


def test_seldon_executor_grpc_body_is_kept_as_bytes() -> None:
    body = b"\x0a\x04\x08\x01\x10\x02\xff\x00"  # a protobuf SeldonMessage, not UTF-8
    event = decode_http({**SELDON_REQUEST_HEADERS, "Content-Type": "application/protobuf"}, body)
    assert event.get_data() == body
    assert decode_data(event) == OpaquePayload(content_type="application/protobuf", body=body)
    headers, wire = encode_http_binary(event)
    assert wire == body and headers["content-type"] == "application/protobuf"


def test_seldon_feedback_event_correlates_by_puid() -> None:
    headers = {**SELDON_REQUEST_HEADERS, "Ce-Type": "io.seldon.serving.feedback", "Ce-Id": "f-1"}
    body = (
        b'{"response": {"data": {"ndarray": [[0.9, 0.09, 0.01]]}}, "reward": 1.0, "truth": {"data": {"ndarray": [0]}}}'
    )
    event = decode_http(headers, body)
    feedback = decode_data_as(event, SeldonFeedback)
    assert feedback.reward == 1.0
    assert feedback.truth is not None and feedback.truth.data is not None and feedback.truth.data.ndarray == [0]
    assert correlation_id(event) == PUID


def _kserve_headers(event_type: str) -> dict[str, str]:
    return {
        "ce-id": "5f1c7f0e-3d2b-4a19-9c8e-7b6a5d4c3b2a",  # KServe reuses the id for request and response
        "ce-specversion": "1.0",
        "ce-type": event_type,
        "ce-source": "http://localhost:9081/",
        "ce-inferenceservicename": "sklearn-iris",
        "ce-namespace": "kserve-test",
        "ce-component": "predictor",
        "ce-endpoint": "default",
        "ce-time": "2024-05-06T07:08:09Z",
        "content-type": "application/json",
    }


def test_kserve_v1_pair() -> None:
    request = decode_http(
        _kserve_headers("org.kubeflow.serving.inference.request"), b'{"instances": [[6.8, 2.8, 4.8, 1.4]]}'
    )
    response = decode_http(_kserve_headers("org.kubeflow.serving.inference.response"), b'{"predictions": [1]}')
    assert correlation_id(request) == correlation_id(response) == "5f1c7f0e-3d2b-4a19-9c8e-7b6a5d4c3b2a"
    assert request.get_extension("requestid") is None
    assert decode_data_as(request, V1PredictRequest).instances == [[6.8, 2.8, 4.8, 1.4]]
    assert decode_data_as(response, V1PredictResponse).predictions == [1]
    extensions = InferenceExtensions.of(request)
    assert (extensions.component, extensions.endpoint, extensions.inferenceservicename) == (
        "predictor",
        "default",
        "sklearn-iris",
    )


def test_kserve_v2_pair() -> None:
    body = {
        "id": "r",
        "inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP32", "data": [6.8, 2.8, 4.8, 1.4]}],
    }
    reply = {
        "model_name": "sklearn-iris",
        "id": "r",
        "outputs": [{"name": "output-0", "shape": [1], "datatype": "INT32", "data": [1]}],
    }
    request = decode_http(_kserve_headers("org.kubeflow.serving.inference.request"), json.dumps(body).encode())
    response = decode_http(_kserve_headers("org.kubeflow.serving.inference.response"), json.dumps(reply).encode())
    assert correlation_id(request) == correlation_id(response)
    assert decode_data_as(request, V2InferenceRequest).inputs[0].shape == [1, 4]
    assert decode_data_as(response, V2InferenceResponse).model_name == "sklearn-iris"


def test_outlier_reply_copies_the_incoming_id_and_extensions() -> None:
    request = decode_http(SELDON_REQUEST_HEADERS, SELDON_REQUEST_BODY)
    reply = build_event(
        "io.seldon.serving.inference.outlier",
        {"data": {"is_outlier": [0]}, "meta": {"name": "IForest", "detector_type": "outlier"}},
        source="http://warden-detectors/",
        id=request.get_id(),
        extensions=InferenceExtensions.of(request).as_attributes(),
    )
    decoded = decode_http(*encode_http_binary(reply))
    assert decoded.get_id() == request.get_id()
    assert correlation_id(decoded) == PUID
    assert InferenceExtensions.of(decoded) == InferenceExtensions.of(request)
    assert decode_data_as(decoded, OutlierDetected).data.is_outlier == [0]


def test_seldon_kafka_logger_record_decodes_like_the_http_event() -> None:
    # Headers exactly as executor/logger/worker.go writes them (no ce_ prefix, no id/source/time).
    headers = [
        ("type", b"io.seldon.serving.inference.request"),
        ("content-type", b"application/json"),
        ("modelid", b"classifier"),
        ("requestid", PUID.encode()),
        ("inferenceservicename", b"iris"),
        ("namespace", b"seldon"),
        ("endpoint", b"default"),
        ("protocol", b"seldon"),
    ]
    event = from_kafka_record(headers, SELDON_REQUEST_BODY, None, topic="seldon", partition=3, offset=42)
    over_http = decode_http(SELDON_REQUEST_HEADERS, SELDON_REQUEST_BODY)
    assert InferenceExtensions.of(event) == InferenceExtensions.of(over_http)
    assert event.get_type() == over_http.get_type()
    assert event.get_datacontenttype() == over_http.get_datacontenttype()
    assert event.get_data() == over_http.get_data()
    assert decode_data(event) == decode_data(over_http)
    assert correlation_id(event) == PUID
    assert event.get_source() == "kafka://seldon"
