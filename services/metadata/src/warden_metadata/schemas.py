"""Wire models of the v1alpha1 model metadata API, named as the official seldon-deploy-sdk 1.6 sends them.

Input accepts the SDK's camelCase and the snake_case of protocols.md §7 (`dataType` or `data_type`); output is
always the SDK's camelCase. gRPC-gateway sends int64 as strings, so `nCategories` and `shape` go out as strings.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, field_validator


class ArtifactType(StrEnum):
    """The SDK's V1ArtifactType (the seed lists CUSTOM..TENSORRT; UNKNOWN and ALIBI_EXPLAIN are the SDK's too)."""

    UNKNOWN = "UNKNOWN"
    CUSTOM = "CUSTOM"
    TENSORFLOW = "TENSORFLOW"
    SKLEARN = "SKLEARN"
    XGBOOST = "XGBOOST"
    MLFLOW = "MLFLOW"
    PYTORCH = "PYTORCH"
    ONNX = "ONNX"
    TENSORRT = "TENSORRT"
    ALIBI_EXPLAIN = "ALIBI_EXPLAIN"


class FeatureType(StrEnum):
    REAL = "REAL"
    CATEGORICAL = "CATEGORICAL"
    PROBA = "PROBA"
    ONE_HOT = "ONE_HOT"
    TEXT = "TEXT"
    TENSOR = "TENSOR"


class DataType(StrEnum):
    FLOAT = "FLOAT"
    INT = "INT"
    BOOL = "BOOL"
    STRING = "STRING"
    BYTES = "BYTES"


class DefaultProtocol(StrEnum):
    UNKNOWN = "PROTOCOL_UNKNOWN"
    SELDON = "PROTOCOL_SELDON"
    TENSORFLOW = "PROTOCOL_TENSERFLOW"  # sic: the SDK's spelling
    V2 = "PROTOCOL_V2"


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NO_NUL_PATTERN = "^[^\\x00]*$"
_NO_NUL = {"pattern": NO_NUL_PATTERN}  # the schema says what `_no_nul` checks (clients, fuzzers)
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra=_NO_NUL)]
QueryText = Annotated[str, AfterValidator(_no_nul)]
"""A text query parameter (a filter reaching PostgreSQL): no NUL. Checked, not shown as a pattern: a pattern on
a dozen query parameters makes schemathesis' coverage phase combine them without end."""
NonEmptyText = Annotated[str, Field(min_length=1, json_schema_extra=_NO_NUL), AfterValidator(_no_nul)]


def _alias(camel: str, snake: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(camel, snake), serialization_alias=camel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)


class FeatureCategorySchema(_Strict):
    name: NonEmptyText
    data_type: DataType | None = _alias("dataType", "data_type")


class FeatureSchema(_Strict):
    name: NonEmptyText
    type: FeatureType
    data_type: DataType | None = _alias("dataType", "data_type")
    n_categories: Annotated[int, Field(ge=1)] | None = _alias("nCategories", "n_categories")
    category_map: dict[Text, Text] | None = _alias("categoryMap", "category_map")
    schema_: list[FeatureCategorySchema] | None = Field(default=None, alias="schema")
    shape: list[int] | None = None

    @field_validator("shape")
    @classmethod
    def _dimensions(cls, shape: list[int] | None) -> list[int] | None:
        if shape is not None and any(dim < 1 and dim != -1 for dim in shape):
            raise ValueError("dimensions are positive integers, or -1 for a variable size")
        return shape


class PredictionSchema(_Strict):
    requests: list[FeatureSchema] = Field(default_factory=list)
    responses: list[FeatureSchema] = Field(default_factory=list)


class RuntimeDefaults(_Strict):
    default_protocol: DefaultProtocol | None = _alias("defaultProtocol", "default_protocol")


class ModelIn(_Strict):
    """A catalog entry as POSTed / PUT. `creationTime` is accepted (the SDK echoes it back) and ignored."""

    uri: NonEmptyText = Field(validation_alias=AliasChoices("URI", "uri"), serialization_alias="URI")
    name: Text | None = None
    version: Text | None = None
    artifact_type: ArtifactType = Field(
        default=ArtifactType.UNKNOWN,
        validation_alias=AliasChoices("artifactType", "artifact_type"),
        serialization_alias="artifactType",
    )
    task_type: Text | None = _alias("taskType", "task_type")
    tags: dict[NonEmptyText, Text] = Field(default_factory=dict)
    metrics: dict[NonEmptyText, Annotated[float, Field(allow_inf_nan=False)]] = Field(default_factory=dict)
    creation_time: datetime | None = _alias("creationTime", "creation_time")
    prediction_schema: PredictionSchema | None = _alias("predictionSchema", "prediction_schema")
    project: Text | None = None
    runtime_defaults: RuntimeDefaults | None = _alias("runtimeDefaults", "runtime_defaults")

    @field_validator("artifact_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    def project_or_default(self) -> str:
        return self.project or "default"
