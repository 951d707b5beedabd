"""Warden's Prometheus alert rules (deploy/prometheus/alerts.yml): valid, unit-tested with promtool, shipped the
same in the Helm chart, and firing in a real Prometheus that scrapes a drift detector's gauge."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client import start_http_server

from warden_common.testing.processes import free_port
from warden_common.testing.servers.prometheus import private_prometheus
from warden_common.testing.waiting import eventually
from warden_detectors.drift import metrics as drift_metrics
from warden_detectors.drift.result import DriftResult

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = REPO / "deploy" / "prometheus" / "alerts_test.yml"
CHART_RULES = REPO / "deploy" / "helm" / "warden" / "files" / "alerts.yml"


def promtool(*args: str) -> str:
    binary = shutil.which("promtool") or "/usr/bin/promtool"  # Debian's prometheus package ships it
    if not Path(binary).is_file():
        pytest.fail("promtool not found: install the Debian prometheus package (scripts/infra/prometheus)")
    result = subprocess.run([binary, *args], capture_output=True, text=True, check=False, timeout=120, cwd=RULES.parent)
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_promtool_accepts_the_rules_and_every_alert_passes_its_unit_test() -> None:
    assert "SUCCESS: 6 rules found" in promtool("check", "rules", str(RULES))
    assert "SUCCESS" in promtool("test", "rules", str(RULE_TESTS))


def test_the_helm_chart_ships_the_same_rules() -> None:
    assert CHART_RULES.read_text() == RULES.read_text(), "copy deploy/prometheus/alerts.yml to the chart's files/"


async def test_drift_fires_the_alert_in_a_real_prometheus(tmp_path: Path, unique_name: str) -> None:
    # The detectors' own gauge, set the way a drift window sets it, exposed on a real /metrics endpoint.
    now = datetime.now(UTC)
    result = DriftResult(
        detector=f"{unique_name}-drift", algorithm="KSDrift", drift_type="batch", window_start=now, window_end=now,
        rows=100, is_drift=True, p_val=0.001, distance=0.4, threshold=0.05,
    )  # fmt: skip
    drift_metrics.record(result, namespace="seldon", deployment=unique_name, endpoint="default")
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1")
    try:
        with private_prometheus(tmp_path / "prometheus", [f"127.0.0.1:{port}"], [RULES]) as url:
            firing: list[dict[str, object]] = []

            async def alert_fires() -> bool:
                async with httpx.AsyncClient() as client:
                    alerts = (await client.get(f"{url}/api/v1/alerts")).json()["data"]["alerts"]
                firing[:] = [
                    a for a in alerts
                    if a["labels"]["alertname"] == "SeldonDriftDetected" and a["state"] == "firing"
                    and a["labels"].get("deployment") == unique_name
                ]  # fmt: skip
                return bool(firing)

            await eventually(alert_fires, "the drift alert fires", within_s=60, interval_s=0.5)
        [alert] = firing
        assert alert["labels"] == {
            "alertname": "SeldonDriftDetected", "severity": "warning", "namespace": "seldon",
            "deployment": unique_name, "endpoint": "default", "detector": f"{unique_name}-drift",
        }  # fmt: skip
        assert alert["annotations"]["summary"] == f"Drift in seldon/{unique_name}"  # type: ignore[index]
    finally:
        drift_metrics.forget(namespace="seldon", deployment=unique_name, detector=f"{unique_name}-drift")
        server.shutdown()
        thread.join(timeout=10)
