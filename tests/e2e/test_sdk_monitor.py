"""The official seldon-deploy-sdk 1.6, unchanged, reads feature distributions and statistics of logged predictions
from `warden up` through its `MonitorApi` (DeploymentFeatureData in, FeatureDistributionResponse /
FeatureStatisticsResponse out), for a SeldonDeployment and an InferenceService name alike.

The predictions are posted as an executor would (CloudEvents to the request logger's ingestion endpoint); without a
registered prediction schema, elements keep the payload's names and numbers are read as REAL features.
"""

from __future__ import annotations

import json
import math
import textwrap
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from warden_common.testing.auth import SDK_SIGN_IN

from .sdk_runner import run_sdk

pytestmark = pytest.mark.integration

NAMES = ["Age", "Hours per week"]
ROWS = [[20 + (7 * n) % 50, 20 + (5 * n) % 45] for n in range(24)]

SDK_SCRIPT = SDK_SIGN_IN + textwrap.dedent(
    """
    import json, sys
    from seldon_deploy_sdk import MonitorApi
    from seldon_deploy_sdk.models import DeploymentFeatureData, FeatureDistributionParameters, FeatureFilter
    from seldon_deploy_sdk.rest import ApiException

    base, user, password, call, kind = sys.argv[1:6]
    api = MonitorApi(signed_in_client(base, user, password))
    data = DeploymentFeatureData(
        feature="Age", aggregate_over_time=True, deployment_name="income", deployment_namespace="seldon",
        parameters=FeatureDistributionParameters(histogram_interval=10),
        filters=[FeatureFilter(is_timestamp=True, gte="2026-01-05T10:00:00Z", lt="2026-01-05T11:00:00Z"),
                 FeatureFilter(feature="Hours per week", gte="40")],
    )
    if call == "bad":
        data.feature = "Salary"
    method = getattr(api, f"{kind}_feature_{'statistics' if call == 'statistics' else 'distributions'}")
    try:
        out = method("income", "seldon", data).to_dict()
    except ApiException as exc:
        out = {"error": exc.status, "body": exc.body.decode() if isinstance(exc.body, bytes) else exc.body}
    print(json.dumps(out, default=str))
    """
)


def _sdk(sdk_python: Path, base: str, credentials: tuple[str, str], *args: str) -> Any:
    return run_sdk(sdk_python, SDK_SCRIPT, base, credentials, *args)


def _log_predictions(base: str, headers: dict[str, str]) -> None:
    """Each row as its own request + response event, a second apart, as a Seldon executor posts them."""
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for n, row in enumerate(ROWS):
            rid = f"income-{n}-{uuid.uuid4().hex[:6]}"
            for kind, body in (("request", {"data": {"names": NAMES, "ndarray": [row]}}),
                               ("response", {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.7, 0.3]]}})):  # fmt: skip
                event = {"Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Time": f"2026-01-05T10:00:{n:02d}Z",
                         "Ce-Type": f"io.seldon.serving.inference.{kind}", "Ce-Source": "http://executor:8000/",
                         "Ce-Requestid": rid, "Ce-Modelid": "classifier", "Ce-Inferenceservicename": "income",
                         "Ce-Namespace": "seldon", "Ce-Endpoint": "default",
                         "Content-Type": "application/json"}  # fmt: skip
                answer = client.post("/request-logger/", content=json.dumps(body), headers=event)
                assert answer.status_code == 200, answer.text


def test_sdk_reads_feature_distributions_and_statistics_of_logged_predictions(
    sdk_python: Path, warden: str, api_headers: dict[str, str], admin_credentials: tuple[str, str]
) -> None:
    _log_predictions(warden, api_headers)
    ages = [age for age, hours in ROWS if hours >= 40]
    assert 0 < len(ages) < len(ROWS)

    for kind in ("seldon_deployment", "inference_service"):
        distribution = _sdk(sdk_python, warden, admin_credentials, "distributions", kind)
        assert "error" not in distribution, distribution
        assert (distribution["feature"], distribution["type"], distribution["interaction"]) == (
            "Age",
            "REAL",
            "request",
        )
        assert distribution["total_instances"] == len(ages)
        histogram = Counter(math.floor(age / 10) * 10 for age in ages)
        assert {b["key"]: b["count"] for b in distribution["distribution"]["buckets"]} == {
            str(k): float(n) for k, n in histogram.items()
        }

        statistics = _sdk(sdk_python, warden, admin_credentials, "statistics", kind)
        assert "error" not in statistics, statistics
        stats = statistics["stats"]
        assert (statistics["total_instances"], stats["count"], stats["min"], stats["max"]) == (
            len(ages), len(ages), min(ages), max(ages))  # fmt: skip
        assert stats["avg"] == pytest.approx(sum(ages) / len(ages))

    unknown = _sdk(sdk_python, warden, admin_credentials, "bad", "seldon_deployment")
    assert unknown["error"] == 400 and "Salary" in unknown["body"]
