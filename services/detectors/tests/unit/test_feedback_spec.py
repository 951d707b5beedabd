"""`MetricsSpec.from_config`: the original class paths, Warden's model_type, and errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.errors import Unprocessable
from warden_detectors.feedback import MetricsSpec
from warden_detectors.feedback.spec import ORIGINAL_CLASS_PATHS


@pytest.mark.parametrize(("path", "model"), sorted(ORIGINAL_CLASS_PATHS.items()))
def test_the_original_class_paths_name_the_model(path: str, model: str) -> None:
    assert MetricsSpec.from_config({"storage_uri": path}).model_type == model
    assert MetricsSpec.from_config({"storage_uri": path.rsplit(".", 1)[1]}).model_type == model


def test_model_type_and_defaults() -> None:
    spec = MetricsSpec.from_config({"model_type": "binary", "storage_uri": "", "drift_batch_size": "", "other": 1})
    assert (spec.model_type, spec.threshold, spec.classes) == ("binary", 0.5, None)
    spec = MetricsSpec.from_config({"model_type": "multiclass_onehot", "classes": 10, "threshold": None})
    assert (spec.model_type, spec.classes) == ("multiclass_onehot", 10)


@pytest.mark.parametrize(
    ("basic", "field", "message"),
    [
        ({}, "config.basic.model_type", "a metrics server needs its model"),
        ({"storage_uri": "s3://bucket/metrics"}, "config.basic.storage_uri", "is not a metrics model Warden runs"),
        ({"storage_uri": 3}, "config.basic.storage_uri", "must be a string"),
        ({"storage_uri": "adserver.cm_models.binary_metrics.BinaryMetrics", "model_type": "multiclass_numeric"},
         "config.basic.model_type", "'multiclass_numeric' contradicts storage_uri, which names a binary model"),
        ({"model_type": "regression"}, "config.basic.model_type", "Input should be 'binary'"),
        ({"model_type": "binary", "threshold": 1.5}, "config.basic.threshold", "less than 1"),
        ({"model_type": "binary", "threshold": "high"}, "config.basic.threshold", "valid number"),
        ({"model_type": "multiclass_numeric", "classes": 1}, "config.basic.classes", "greater than or equal to 2"),
        ({"model_type": "binary", "classes": 3}, "config.basic.model_type", "a binary metrics server has 2 classes"),
    ],
)  # fmt: skip
def test_bad_config_names_the_field(basic: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        MetricsSpec.from_config(basic)
    assert caught.value.status_code == 422
    assert message in caught.value.message
    assert field in caught.value.message
    assert [d["field"] for d in caught.value.details] == [field]
