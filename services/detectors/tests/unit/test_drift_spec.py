"""Drift detector configs: SDK-shaped values, defaults, and clear errors naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from warden_common.errors import Unprocessable
from warden_detectors.drift import DriftInputError, DriftMonitor, DriftSetupError, DriftSpec


def _problem(basic: dict[str, Any]) -> tuple[str, list[str]]:
    with pytest.raises(Unprocessable) as caught:
        DriftSpec.from_config(basic)
    return caught.value.message, [d["field"] for d in caught.value.details]


def test_sdk_config_with_defaults() -> None:
    # The seldon-deploy-sdk sends drift_batch_size as a string, plus keys that belong to other parts of the config.
    spec = DriftSpec.from_config(
        {"storage_uri": "s3://b/d", "drift_batch_size": "100", "drift_type_feature": True, "env_secret_ref": ""}
    )
    assert (spec.algorithm, spec.p_val, spec.correction) == ("ks", 0.05, "bonferroni")
    assert (spec.drift_batch_size, spec.window_seconds, spec.drift_type_feature) == (100, None, True)


def test_categories_by_index_or_feature_name() -> None:
    spec = DriftSpec.from_config(
        {"window_seconds": 60, "algorithm": "tabular", "feature_names": ["age", "sex"], "categories_per_feature":
         {"sex": 2, "0": None}}
    )  # fmt: skip
    assert spec.category_columns() == {1: 2, 0: None}


@pytest.mark.parametrize(
    ("basic", "field", "says"),
    [
        ({"drift_batch_size": "100", "p_val": 1.5}, "config.basic.p_val", "less than 1"),
        ({"drift_batch_size": "ten"}, "config.basic.drift_batch_size", "valid integer"),
        ({"drift_batch_size": 1}, "config.basic.drift_batch_size", "greater than or equal to 2"),
        ({"window_seconds": 60, "algorithm": "iforest"}, "config.basic.algorithm", "'ks'"),
        ({"storage_uri": "s3://b/d"}, "config.basic", "set drift_batch_size"),
        ({"window_seconds": 60, "algorithm": "mmd"}, "config.basic", "needs PyTorch"),
        ({"window_seconds": 60, "algorithm": "tabular"}, "config.basic", "needs categories_per_feature"),
        ({"window_seconds": 60, "categories_per_feature": {"0": 2}}, "config.basic", "not ks"),
        (
            {"window_seconds": 60, "algorithm": "chisquare", "categories_per_feature": {"colour": 3}},
            "config.basic",
            "'colour' is neither a column index nor one of feature_names",
        ),
        ({"drift_batch_size": 5, "min_window_rows": 10}, "config.basic", "below min_window_rows"),
    ],
)
def test_bad_config_names_the_field(basic: dict[str, Any], field: str, says: str) -> None:
    message, fields = _problem(basic)
    assert fields == [field]
    assert says in message
    assert message.startswith("invalid drift detector config: ")


def test_reference_and_rows_must_fit() -> None:
    spec = DriftSpec.from_config({"drift_batch_size": 10, "feature_names": ["a", "b", "c"]})
    rng = np.random.default_rng(0)
    with pytest.raises(DriftSetupError, match="feature_names has 3 names, the reference 2 columns"):
        DriftMonitor(spec, rng.normal(size=(50, 2)), None, "d")
    with pytest.raises(DriftSetupError, match="either reference data or a saved detector"):
        DriftMonitor(spec, None, None, "d")
    with pytest.raises(DriftSetupError, match="NaN"):
        DriftMonitor(spec, np.full((50, 3), np.nan), None, "d")
    with pytest.raises(DriftSetupError, match="does not exist"):
        DriftMonitor(spec, None, Path("/nonexistent/detector"), "d")
    monitor = DriftMonitor(spec, rng.normal(size=(50, 3)), None, "d")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(DriftInputError, match=r"shape \(4,\) per instance, the detector expects \(3,\)"):
        monitor.add(rng.normal(size=(5, 4)), at)
    with pytest.raises(DriftInputError, match="2-D"):
        monitor.add(np.zeros(3), at)
    with pytest.raises(DriftInputError, match="numeric"):
        monitor.add(np.array([["a", "b", "c"]]), at)
    assert monitor.pending() == 0  # rejected rows are not kept


def test_categories_outside_the_reference_columns() -> None:
    spec = DriftSpec.from_config({"drift_batch_size": 10, "algorithm": "chisquare", "categories_per_feature": {"5": 2}})
    with pytest.raises(DriftSetupError, match="names column 5; the reference has 2 columns"):
        DriftMonitor(spec, np.zeros((20, 2)), None, "d")
