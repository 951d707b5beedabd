"""The official seldon-deploy-sdk 1.6, unchanged, manages outlier detectors against `warden up`: create, list, read,
delete through its `OutlierDetectorApi` (its DetectorData models, snake_case on the wire).

The SDK lives in its own venv (`scripts/sdk-venv`); each step runs it as a subprocess and prints what it parsed.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import dill
import numpy as np
import pytest

from warden_common.testing.auth import SDK_SIGN_IN

from .sdk_runner import run_sdk

pytestmark = pytest.mark.integration

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import OutlierDetectorApi
    from seldon_deploy_sdk.models import (BasicDetectorConfiguration, DetectorConfiguration, DetectorData,
                                          DetectorDeploymentConfiguration)
    from seldon_deploy_sdk.rest import ApiException

    base, user, password, step = sys.argv[1:5]
    api = OutlierDetectorApi(signed_in_client(base, user, password))
    try:
        if step == "create":
            data = DetectorData(
                name="iris-outlier",
                config=DetectorConfiguration(
                    basic=BasicDetectorConfiguration(storage_uri=sys.argv[5]),
                    deployment=DetectorDeploymentConfiguration(
                        model_name="iris", protocol="seldon.http", event_type="io.seldon.serving.inference.outlier",
                        event_source="io.seldon.serving.iris-outlier", reply_url="http://seldon-request-logger",
                        http_port="8080"),
                ),
            )
            out = api.create_outlier_detector_seldon_deployment("iris", "seldon", data).to_dict()
        elif step == "list":
            out = [d.to_dict() for d in api.list_outlier_detector_seldon_deployment("iris", "seldon")]
        elif step == "read":
            out = api.read_outlier_detector_seldon_deployment("iris", "seldon", "iris-outlier").to_dict()
        elif step == "delete":
            out = api.delete_outlier_detector_seldon_deployment("iris", "seldon", "iris-outlier").to_dict()
        else:
            raise SystemExit(f"unknown step {step}")
    except ApiException as exc:
        out = {"error": exc.status, "body": exc.body.decode() if isinstance(exc.body, bytes) else exc.body}
    print(json.dumps(out, default=str))
    """
)


def _sdk(sdk_python: Path, base: str, credentials: tuple[str, str], *args: str) -> Any:
    return run_sdk(sdk_python, SDK_SCRIPT, base, credentials, *args)


def saved_iforest(folder: Path) -> Path:
    """An IForest saved as alibi-detect 0.13's `save_detector` writes it (legacy format: meta + state, dill)."""
    from alibi_detect.od import IForest

    rows = np.random.default_rng(3).normal(size=(500, 4))
    detector = IForest()
    detector.fit(rows)
    detector.infer_threshold(rows, threshold_perc=99)
    folder.mkdir(parents=True)
    (folder / "meta.dill").write_bytes(dill.dumps(detector.meta))
    (folder / "IForest.dill").write_bytes(dill.dumps({"threshold": detector.threshold,
                                                      "isolationforest": detector.isolationforest}))  # fmt: skip
    return folder


def test_sdk_creates_lists_reads_and_deletes_an_outlier_detector(
    sdk_python: Path, warden: str, admin_credentials: tuple[str, str], tmp_path: Path
) -> None:
    storage = saved_iforest(tmp_path / "iris-outlier")
    created = _sdk(sdk_python, warden, admin_credentials, "create", storage.as_uri())
    assert "error" not in created, created
    assert (created["name"], created["namespace"], created["deployment_name"]) == ("iris-outlier", "seldon", "iris")
    assert created["config"]["basic"]["storage_uri"] == storage.as_uri()
    assert created["config"]["deployment"]["event_source"] == "io.seldon.serving.iris-outlier"

    listed = _sdk(sdk_python, warden, admin_credentials, "list")
    assert [d["name"] for d in listed] == ["iris-outlier"]

    read = _sdk(sdk_python, warden, admin_credentials, "read")
    assert read["detector_type"] == "outlier" and read["config"]["deployment"]["http_port"] == "8080"
    assert read["status"]["state"] in ("Loading", "Loaded")  # the SDK keeps `status` as the object it got

    deleted = _sdk(sdk_python, warden, admin_credentials, "delete")
    assert deleted["code"] == 200
    assert _sdk(sdk_python, warden, admin_credentials, "list") == []
    gone = _sdk(sdk_python, warden, admin_credentials, "read")
    assert gone["error"] == 404 and "iris-outlier" in gone["body"]
