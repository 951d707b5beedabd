"""An outlier detector's `config.basic`: what is accepted and how a mistake is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from warden_detectors.outlier.spec import OutlierSpec
from warden_detectors.runtime.artifacts import ArtifactError, load_reference


def test_defaults_and_sources() -> None:
    spec = OutlierSpec.from_config({"reference_uri": "s3://data/ref.npy", "drift_batch_size": "5"})
    assert (spec.algorithm, spec.threshold, spec.threshold_percentile) == ("IForest", None, 95.0)
    assert OutlierSpec.from_config({"storage_uri": "file:///models/od"}).storage_uri == "file:///models/od"


@pytest.mark.parametrize(
    ("basic", "field"),
    [
        ({}, "storage_uri"),
        ({"reference_uri": "x.npy", "threshold_percentile": 100}, "threshold_percentile"),
        ({"reference_uri": "x.npy", "algorithm": "LOF"}, "algorithm"),
        ({"storage_uri": "s3:/no-bucket"}, "storage_uri"),
    ],
)
def test_mistakes_name_the_field(basic: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OutlierSpec.from_config(basic)
    assert field in str(caught.value)


def test_reference_csv_with_and_without_header(tmp_path: Path) -> None:
    with_header = tmp_path / "a.csv"
    with_header.write_text("x,y\n1,2\n3,4\n")
    plain = tmp_path / "b.csv"
    plain.write_text("1,2\n3,4\n5,6\n")
    assert load_reference(with_header).tolist() == [[1, 2], [3, 4]]
    assert load_reference(plain).shape == (3, 2)
    npy = tmp_path / "c.npy"
    np.save(npy, np.arange(5.0))
    assert load_reference(npy).shape == (5, 1)
    bad = tmp_path / "d.csv"
    bad.write_text("a,b\nx,y\n")
    with pytest.raises(ArtifactError):
        load_reference(bad)
