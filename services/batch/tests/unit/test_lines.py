"""Lines to requests and answers to output lines (protocols.md §6), and the job definition's checks."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from warden_batch.lines import Line, LineError, failure, line_body, split_answer, success
from warden_batch.runner import count_lines, read_lines
from warden_batch.wire import BatchJobDefinition

JOB = uuid.UUID("8f3d5d0e-5c1b-4b7e-9a59-2f1c0d7e3a41")


def test_a_data_line_is_one_row_or_several_and_tensor_is_flat() -> None:
    assert line_body(Line(0, "[1, 2]"), "data", "ndarray") == {"data": {"ndarray": [[1, 2]]}}
    assert line_body(Line(0, "[[1, 2], [3, 4]]"), "data", "tensor") == {
        "data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3, 4]}}
    }
    assert line_body(Line(0, '"hello"'), "str", "ndarray") == {"strData": "hello"}
    assert line_body(Line(0, "plain text"), "str", "ndarray") == {"strData": "plain text"}
    raw = '{"response": {"data": {"ndarray": [[1]]}}, "truth": {"data": {"ndarray": [[0]]}}}'
    assert line_body(Line(0, raw), "raw", "ndarray") == json.loads(raw)


@pytest.mark.parametrize(("text", "data_type", "says"), [
    ("{not json", "data", "line 7 is not JSON"),
    ("[]", "data", "an empty array"),
    ('{"a": 1}', "data", "got dict"),
    ("[1, 2]", "json", "a JSON object; got list"),
])  # fmt: skip
def test_a_bad_line_says_which_and_why(text: str, data_type: str, says: str) -> None:
    with pytest.raises(LineError, match=says):
        line_body(Line(7, text), data_type, "ndarray")


def test_a_mini_batch_answer_is_split_per_line_and_tagged() -> None:
    answer = {"data": {"names": ["t:0"], "ndarray": [[0], [1], [2]]}, "meta": {"tags": {"model": "x"}}}
    parts = split_answer(answer, [1, 2])
    assert parts is not None
    assert [p["data"]["ndarray"] for p in parts] == [[[0]], [[1], [2]]]
    tensor = {"data": {"tensor": {"shape": [3, 2], "values": [1, 2, 3, 4, 5, 6]}}}
    split = split_answer(tensor, [2, 1])
    assert split is not None and split[1]["data"]["tensor"] == {"shape": [1, 2], "values": [5, 6]}
    assert split_answer({"data": {"ndarray": [[0]]}}, [1, 2]) is None  # not one row per row sent
    out = json.loads(success(JOB, 4, parts[1]))
    assert out["meta"]["tags"] == {"model": "x", "batch_id": str(JOB), "batch_index": 4,
                                   "batch_instance_id": str(uuid.uuid5(JOB, "4"))}  # fmt: skip
    failed = json.loads(failure(JOB, 5, "the data plane answered 400: bad"))
    assert failed["status"] == {"info": "FAILURE", "reason": "the data plane answered 400: bad", "status": 1}
    assert failed["meta"]["tags"]["batch_index"] == 5


def test_tftensor_lines_are_a_tensorproto_and_its_answer_is_split_along_the_first_dimension() -> None:
    assert line_body(Line(0, "[[1.5, 2], [3, 4]]"), "data", "tftensor") == {
        "data": {
            "tftensor": {
                "dtype": "DT_DOUBLE",
                "tensorShape": {"dim": [{"size": "2"}, {"size": "2"}]},
                "doubleVal": [1.5, 2, 3, 4],
            }
        }
    }
    answer = {
        "data": {
            "tftensor": {
                "dtype": "DT_DOUBLE",
                "tensorShape": {"dim": [{"size": "3"}, {"size": "2"}]},
                "doubleVal": [1, 2, 3, 4, 5, 6],
            }
        }
    }
    split = split_answer(answer, [1, 2])
    assert split is not None
    assert [p["data"]["tftensor"]["doubleVal"] for p in split] == [[1, 2], [3, 4, 5, 6]]
    assert [p["data"]["tftensor"]["tensorShape"]["dim"][0]["size"] for p in split] == ["1", "2"]
    packed = {
        "data": {"tftensor": {"dtype": "DT_DOUBLE", "tensorShape": {"dim": [{"size": "3"}]}, "tensorContent": "AAAA"}}
    }
    assert split_answer(packed, [1, 2]) is None  # packed bytes: the lines are sent one by one instead
    definition = BatchJobDefinition.model_validate(
        {"inputData": "s3://d/i", "outputData": "s3://d/o", "batchDataType": "tftensor"}
    )
    assert (definition.data_type, definition.payload_type) == ("data", "tftensor")
    with pytest.raises(ValidationError, match="batchPayloadType 'bytes' is not one of ndarray, tensor, tftensor"):
        BatchJobDefinition.model_validate(
            {"inputData": "s3://d/i", "outputData": "s3://d/o", "batchPayloadType": "bytes"}
        )


def test_grpc_transport_is_refused_saying_why() -> None:
    with pytest.raises(ValidationError, match="batchTransportProtocol 'grpc': Warden's data plane serves rest only"):
        BatchJobDefinition.model_validate(
            {"inputData": "s3://d/i", "outputData": "s3://d/o", "batchTransportProtocol": "grpc"}
        )


def test_lines_are_streamed_and_counted_with_or_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("[1]\n\n[2]\r\n[3]")
    assert [(line.index, line.text) for line in read_lines(path)] == [(0, "[1]"), (1, ""), (2, "[2]"), (3, "[3]")]
    assert count_lines(path) == 4
    path.write_text("[1]\n[2]\n")
    assert count_lines(path) == 2


def test_the_definition_takes_the_sdk_shapes_and_names_each_bad_field() -> None:
    definition = BatchJobDefinition.model_validate(
        {"inputData": "s3://data/in.txt", "outputData": "s3://data/out-{{workflow.name}}.txt",
         "batchMethod": "Feedback", "batchDataType": "ndarray", "batchWorkers": "15", "batchRetries": "3",
         "batchGatewayType": "istio"}
    )  # fmt: skip
    assert (definition.method, definition.data_type, definition.payload_type) == ("feedback", "data", "ndarray")
    assert (definition.workers, definition.retries) == (15, 3)
    assert definition.wire()["batchWorkers"] == "15"  # repeated as sent
    with pytest.raises(ValidationError) as caught:
        BatchJobDefinition.model_validate({"inputData": "gs://x/y", "outputData": "", "batchWorkers": "0",
                                           "batchTransportProtocol": "grpc", "batchSize": 0, "bogus": 1})  # fmt: skip
    fields = {str(e["loc"][0]) for e in caught.value.errors()}
    assert fields == {"inputData", "outputData", "batchWorkers", "batchTransportProtocol", "batchSize", "bogus"}


async def test_local_paths_outside_the_allowed_directories_are_refused(tmp_path: Path) -> None:
    from warden_batch.service import BatchService, DeploymentRef
    from warden_common.errors import Unprocessable

    service = BatchService(repository=None, local_dirs=[tmp_path / "jobs"])  # type: ignore[arg-type]
    escape = BatchJobDefinition.model_validate(
        {"inputData": str(tmp_path / "jobs" / ".." / "secret.txt"), "outputData": "s3://data/out.txt"}
    )
    with pytest.raises(Unprocessable, match=r"inputData .* is outside"):
        await service.create(DeploymentRef("seldon", "SeldonDeployment", "iris"), escape)
    writes_home = BatchJobDefinition.model_validate(
        {"inputData": f"file://{tmp_path}/jobs/in.txt", "outputData": "/etc/out.txt"}
    )
    with pytest.raises(Unprocessable, match=r"outputData '/etc/out\.txt' is outside"):
        await service.create(DeploymentRef("seldon", "SeldonDeployment", "iris"), writes_home)
