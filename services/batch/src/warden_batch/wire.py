"""The batch jobs API's bodies, with the wire names seldon-deploy-sdk 1.6 sends and parses (`BatchJobsApi`:
BatchJobDefinition, BatchJobDescription, BatchJobGetResponse, BatchJobPostResponse, BatchJobsListResponse)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from warden_common.objectstore.uris import model_uri_problem

WORKFLOW_NAME = "{{workflow.name}}"
Phase = Literal["Pending", "Running", "Succeeded", "Failed"]
"""Argo's workflow phases, as Seldon Deploy reported them (`NodePhase`); a cancelled job is `Failed`."""

_DATA_TYPES = {
    "data": "data",
    "json": "json",
    "str": "str",
    "raw": "raw",
    "ndarray": "data",
    "tensor": "data",
    "tftensor": "data",
}


def _location(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is required: a local path, file:// or s3:// URI")
    problem = model_uri_problem(value.replace(WORKFLOW_NAME, "job"))
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if problem is None and scheme not in ("", "file", "s3"):
        problem = f"{value!r}: batch jobs read and write local paths, file:// and s3:// URIs, not {scheme}://"
    if problem is not None:
        raise ValueError(problem.replace("model URI", "data location").replace("of the model", "of the data"))
    return value


class BatchJobDefinition(BaseModel):
    """What to run: input and output locations, the method and how requests are sent. Counts may be sent as
    strings (the SDK types `batchWorkers` and `batchRetries` as strings); the answer repeats them as sent."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "example": {
                "inputData": "s3://data/input-data.txt",
                "outputData": "s3://data/output-data-{{workflow.name}}.txt",
                "batchMethod": "predict",
                "batchDataType": "data",
                "batchPayloadType": "ndarray",
                "batchTransportProtocol": "rest",
                "batchWorkers": "15",
                "batchRetries": "3",
                "batchSize": 1,
                "batchInterval": 0,
                "objectStoreSecretName": "seldon-job-secret",
            }
        },
    )

    input_data: str = Field(
        alias="inputData",
        description="Input: one JSON value per line; a local path, file:// or s3:// URI (read as a stream).",
    )
    output_data: str = Field(
        alias="outputData",
        description="Output: one JSON response per input line, IN INPUT ORDER (line i of the output answers line "
        "i of the input); a local path, file:// or s3:// URI, written once the job completes. `{{workflow.name}}` "
        "is replaced by the job's name.",
    )
    batch_method: str = Field(
        "predict",
        alias="batchMethod",
        description="`predict` (the deployment's predictions route) or `feedback` (its feedback route, which feeds "
        "its metrics servers); case-insensitive.",
    )
    batch_data_type: str = Field(
        "data",
        alias="batchDataType",
        description="`data`: each line is the rows of one request (`[..]` or `[[..], ..]`), sent as "
        '`{"data": {<payload type>: rows}}`; `json`: each line is a whole request body; `str`: each line is sent '
        "as `strData`; `raw`: each line is a whole request body, sent as is. `ndarray` / `tensor` / `tftensor` mean "
        "`data` with that payload type.",
    )
    batch_payload_type: str = Field(
        "ndarray",
        alias="batchPayloadType",
        description="`ndarray`, `tensor` or `tftensor` (a TensorProto in JSON form, DT_DOUBLE); `data` lines only.",
    )
    batch_transport_protocol: str = Field(
        "rest", alias="batchTransportProtocol", description="`rest` (Warden's data plane serves REST)."
    )
    batch_workers: int | str = Field("1", alias="batchWorkers", description="Requests in flight at once.")
    batch_retries: int | str = Field(
        "3",
        alias="batchRetries",
        description="Attempts after the first for a request that failed for a transient reason (unreachable, "
        "timeout, 5xx, 429). A 4xx is the line's own fault and is not retried.",
    )
    batch_size: int = Field(
        1,
        alias="batchSize",
        ge=1,
        le=10_000,
        description="Lines per request (`data` type: their rows are sent together and the answer split back per "
        "line; a failed mini-batch is retried line by line, so only the bad lines fail).",
    )
    batch_interval: float = Field(
        0.0, alias="batchInterval", ge=0, le=3600, description="Seconds each worker waits between two requests."
    )
    batch_gateway_type: str | None = Field(
        None, alias="batchGatewayType", description="Accepted for compatibility; Warden calls its own data plane."
    )
    batch_gateway_endpoint: str | None = Field(
        None, alias="batchGatewayEndpoint", description="Accepted for compatibility; Warden calls its own data plane."
    )
    object_store_secret_name: str | None = Field(
        None,
        alias="objectStoreSecretName",
        description="Accepted for compatibility; the batch service reaches S3 with its own object-store settings "
        "(WARDEN_BATCH_OBJECT_STORE__*).",
    )
    pvc_size: str | None = Field(None, alias="pvcSize", description="Accepted for compatibility; unused.")
    stop_on_failure: bool = Field(
        False,
        alias="stopOnFailure",
        description="Warden's addition: stop the job (Failed, naming the line and its error) at the first line that "
        "still fails after its retries, instead of writing a FAILURE line for it and going on.",
    )

    @field_validator("input_data", "output_data")
    @classmethod
    def _locations(cls, value: object, info: ValidationInfo) -> str:
        return _location(value, "inputData" if info.field_name == "input_data" else "outputData")

    @field_validator("batch_method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value.lower() not in ("predict", "feedback"):
            raise ValueError(f"batchMethod {value!r} is not one of predict, feedback")
        return value

    @field_validator("batch_data_type")
    @classmethod
    def _data_type(cls, value: str) -> str:
        if value.lower() not in _DATA_TYPES:
            raise ValueError(
                f"batchDataType {value!r} is not one of data, json, str, raw (or ndarray, tensor, tftensor)"
            )
        return value

    @field_validator("batch_payload_type")
    @classmethod
    def _payload_type(cls, value: str) -> str:
        if value.lower() not in ("ndarray", "tensor", "tftensor"):
            raise ValueError(f"batchPayloadType {value!r} is not one of ndarray, tensor, tftensor")
        return value

    @field_validator("batch_transport_protocol")
    @classmethod
    def _transport(cls, value: str) -> str:
        if value.lower() != "rest":
            raise ValueError(f"batchTransportProtocol {value!r}: Warden's data plane serves rest only")
        return value

    @field_validator("batch_workers", "batch_retries")
    @classmethod
    def _counts(cls, value: int | str, info: ValidationInfo) -> int | str:
        _count(value, *_COUNTS[str(info.field_name)])
        return value

    @property
    def method(self) -> str:
        return self.batch_method.lower()

    @property
    def data_type(self) -> str:
        return _DATA_TYPES[self.batch_data_type.lower()]

    @property
    def payload_type(self) -> str:
        if self.batch_data_type.lower() in ("ndarray", "tensor", "tftensor"):
            return self.batch_data_type.lower()
        return self.batch_payload_type.lower()

    @property
    def workers(self) -> int:
        return _count(self.batch_workers, *_COUNTS["batch_workers"])

    @property
    def retries(self) -> int:
        return _count(self.batch_retries, *_COUNTS["batch_retries"])

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


_COUNTS = {"batch_workers": ("batchWorkers", 1, 1000), "batch_retries": ("batchRetries", 0, 100)}


def _count(value: int | str, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field} {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{field} {number} is not between {low} and {high}")
    return number


class Progress(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    lines_done: int = Field(alias="linesDone", description="Input lines answered (failed ones included).")
    lines_failed: int = Field(alias="linesFailed", description="Lines answered with a FAILURE line.")
    lines_total: int | None = Field(alias="linesTotal", description="Input lines; null until the input is read.")
    lines_per_second: float | None = Field(alias="linesPerSecond", description="Since this run (start or resume).")
    eta_seconds: float | None = Field(alias="etaSeconds", description="Time left at that rate.")


class BatchJobDescription(BaseModel):
    """A job's state: `workflowStatus` Pending, Running, Succeeded or Failed (cancelled jobs too, with a message)."""

    model_config = ConfigDict(populate_by_name=True)

    workflow_name: str = Field(alias="workflowName")
    workflow_uid: uuid.UUID = Field(alias="workflowUID")
    workflow_status: Phase = Field(alias="workflowStatus")
    started_at: dt.datetime | None = Field(None, alias="StartedAt")
    finished_at: dt.datetime | None = Field(None, alias="FinishedAt")
    message: str | None = Field(None, description="Why it failed or was cancelled.")
    output_data: str = Field(alias="outputData", description="Where the output is (or will be) written.")
    created_by: str | None = Field(
        None, alias="createdBy", description="The signed-in user who created the job (null with auth off)."
    )
    progress: Progress


class BatchJobPostResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    workflow_name: str = Field(alias="workflowName")
    workflow_uid: uuid.UUID = Field(alias="workflowUID")


class BatchJobGetResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    definition: dict[str, Any] = Field(alias="Definition", description="The BatchJobDefinition as created.")
    description: BatchJobDescription = Field(alias="Description")


class BatchJobsListResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    batch_jobs: list[BatchJobDescription] = Field(alias="batchJobs", description="Newest first.")
    limit: int
    page: int = Field(description="1-based.")
    pages_count: int = Field(alias="pagesCount")


class Message(BaseModel):
    code: int
    message: str
