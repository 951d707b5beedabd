"""Schemathesis against the running standalone Warden: every operation of the one public OpenAPI document.

Phases examples, coverage, fuzzing and stateful (it follows the document's links: create a namespace, a deployment
in it, then read, replace, roll out and delete it); every response must not be a server error and must match what
the document says (status code, content type, body). The full run also holds the document's request schemas to the
server (schemathesis.toml): a request valid by them is accepted, an invalid one refused, except where a rule no
schema states decides (each exception is named there).
A fixed seed makes CI reproducible; `WARDEN_FUZZ_SEED=random` and a larger `WARDEN_FUZZ_MAX_EXAMPLES` make the
wider local run described in docs/testing.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

API = "/seldon-deploy/api/v1alpha1"
PUBLIC_DOCUMENT = f"{API}/openapi.json"
# The one public document lists every public route of every service (services/gateway/tests/unit/
# test_public_openapi.py holds it to that), so fuzzing it covers them all.
DOCUMENTS = [PUBLIC_DOCUMENT]
# The routes that send a payload to the model and change nothing (predict and predictcurl in the public document
# today; the data plane's once it lists them). Anchored: `/infer` must not match `/inferenceservices`.
INFERENCE_PATHS = r"([/:]predict|/predictions|/predictcurl|/infer|/feedback)$"
PHASES = "examples,coverage,fuzzing,stateful"
# The deployment bodies are the real CRD schemas (a SeldonDeployment's holds a whole PodSpec, an InferenceService's
# is ~350 kB): the coverage phase, deriving boundary cases for every field, takes many minutes on them. The full run
# covers every operation in the other phases, and a second run gives the coverage phase everything but those paths.
CRD_BODY_PATHS = r"/(seldondeployments|inferenceservices)(/validate|/\{name\})?$"
# The live run's checks (the full run's, with the data checks and their exceptions, are in schemathesis.toml): a
# prediction valid by the protocol's schema may still not fit the model (4 features for iris), so no data checks.
LIVE_CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SEED = os.environ.get("WARDEN_FUZZ_SEED", "17")  # "random": let schemathesis pick one (it prints it)
MAX_EXAMPLES = int(os.environ.get("WARDEN_FUZZ_MAX_EXAMPLES", "25"))  # per operation and phase
CONFIG = Path(__file__).with_name("schemathesis.toml")
RUN_TIMEOUT_S = int(os.environ.get("WARDEN_FUZZ_TIMEOUT_S", "600"))

pytestmark = [pytest.mark.integration, pytest.mark.timeout(RUN_TIMEOUT_S + 60)]


def _operation_count(document: dict[str, Any]) -> int:
    return sum(1 for item in document.get("paths", {}).values() for method in item if method in METHODS)


def _schemathesis_command(url: str, report_dir: Path, config: Path, *options: str) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        f"--config-file={config}",
        "run",
        url,
        *([] if any(o.startswith("--phases=") for o in options) else [f"--phases={PHASES}"]),
        f"--max-examples={MAX_EXAMPLES}",
        "--generation-database=none",  # every run starts from the seed alone, nothing remembered from earlier runs
        "--report=json,junit",
        f"--report-dir={report_dir}",
        "--no-color",
        *options,
    ]
    if SEED != "random":
        command.append(f"--seed={SEED}")
    return command


def _failures_section(output: str) -> str:
    """The part of schemathesis' console output a person needs: each failure with its curl reproduction."""
    start = output.find("= FAILURES =")
    start = output.find("= ERRORS =") if start < 0 else start
    return output[start:] if start >= 0 else output[-4000:]


def _fuzz(url: str, tmp_path: Path, report_line: Callable[[str, str], None], label: str, *options: str,
          config: Path = CONFIG) -> int:  # fmt: skip
    """Run schemathesis on `url`; assert it found nothing; return how many operations it tested. What it ran
    goes to the closing report (`report_line`, the `closing_report` fixture)."""
    tmp_path.mkdir(exist_ok=True)
    done = subprocess.run(
        _schemathesis_command(url, tmp_path, config, *options),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    reports = sorted(tmp_path.glob("json-*.json"))
    assert reports, f"schemathesis wrote no report (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr}"
    report = json.loads(reports[-1].read_text())
    tested, cases = report["operations"]["tested"], report["test_cases"]["generated"]
    summary = (
        f"{label}: {tested}/{report['operations']['total']} operations, {cases} generated cases, "
        f"seed {report['seed']}, {len(report['failures'])} failure kinds"
    )
    report_line("API fuzzing (schemathesis)", summary)
    print(summary)  # also in the test's own output (pytest -s, or its captured output on failure)
    assert report["errors"] == [], _failures_section(done.stdout)
    assert report["failures"] == [], _failures_section(done.stdout)
    assert done.returncode == 0, _failures_section(done.stdout)
    assert report["operations"]["selected"] == tested, f"untested: {report['operations']['skip_reasons']}"
    assert cases >= tested
    return int(tested)


@pytest.mark.parametrize("document_path", DOCUMENTS)
def test_every_operation_survives_fuzzing(
    warden: str, document_path: str, tmp_path: Path, closing_report: Callable[[str, str], None]
) -> None:
    url = f"{warden}{document_path}"
    document = httpx.get(url, timeout=10).raise_for_status().json()
    operations = _operation_count(document)
    assert operations > 0, f"{document_path} lists no operation"
    full = ("--phases=examples,fuzzing,stateful",)
    assert _fuzz(url, tmp_path / "full", closing_report, document_path, *full) == operations
    coverage = ("--phases=coverage", f"--exclude-path-regex={CRD_BODY_PATHS}")
    assert _fuzz(url, tmp_path / "coverage", closing_report, f"{document_path} (coverage phase)", *coverage) > 0


def _admin_answers(base: str) -> int:
    """How many 2xx answers the administrators' routes (users, policies, keys) gave: only a valid token gets one."""
    metrics = httpx.get(f"{base}/metrics", timeout=10).raise_for_status().text
    return sum(
        int(sample.value)
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "warden_http_requests_total"
        and sample.labels.get("route", "").startswith((f"{API}/users", f"{API}/authorization"))
        and sample.labels.get("status", "").startswith("2")
    )


def test_every_operation_survives_fuzzing_with_auth_on(
    warden_with_auth: tuple[str, str], tmp_path: Path, closing_report: Callable[[str, str], None]
) -> None:
    """The same document with `auth.enabled`, every request carrying an administrator's bearer token: the guarded
    routes' logic is reached (not only their 401), and the identity provider's own routes are fuzzed for real."""
    base, token = warden_with_auth
    url = f"{base}{PUBLIC_DOCUMENT}"
    document = httpx.get(url, timeout=10).raise_for_status().json()  # exempt: no token needed to read it
    bearer = f"--header=Authorization: Bearer {token}"
    label = f"{PUBLIC_DOCUMENT} (auth on, as an administrator)"
    # The coverage phase's boundary cases do not depend on who asks: the auth-off run covers them.
    tested = _fuzz(url, tmp_path, closing_report, label, bearer, "--phases=examples,fuzzing,stateful")
    assert tested == _operation_count(document)
    assert _admin_answers(base) > 0, "no administrator route answered 2xx: the token was not used"


def test_reads_and_predictions_of_a_running_deployment(
    warden: str, live_deployment: tuple[str, str], tmp_path: Path, closing_report: Callable[[str, str], None]
) -> None:
    """The run above meets almost only unknown names (404s); this one aims reads and predictions at a live model.

    Path names are the running deployment's most of the time (schemathesis dictionaries), random otherwise; only
    operations that change nothing are selected (GETs, predictions), so the deployment outlives the run.
    """
    namespace, name = live_deployment
    config = tmp_path / "live.toml"
    config.write_text(
        "[cache]\nenabled = false\n"
        f"[dictionaries.namespaces]\nvalues = [{json.dumps(namespace)}]\n"
        f"[dictionaries.names]\nvalues = [{json.dumps(name)}]\n"
        "[parameters]\n"
        '"path.namespace" = { dictionary = "namespaces", probability = 0.9 }\n'
        '"path.name" = { dictionary = "names", probability = 0.9 }\n'
    )
    url = f"{warden}{PUBLIC_DOCUMENT}"
    # Either a GET or inference.
    # No coverage phase here: its boundary cases of the precise protocol bodies take many minutes, and the full
    # run's coverage phase derives them already (answered by an unknown deployment instead of this one).
    options = (
        "--include-method=GET",
        f"--include-path-regex={INFERENCE_PATHS}",
        f"--checks={LIVE_CHECKS}",
        "--phases=examples,fuzzing",
    )
    assert _fuzz(url, tmp_path, closing_report, f"{PUBLIC_DOCUMENT} (live {namespace}/{name})", *options, config=config)
    deployment = f"{url.removesuffix('/openapi.json')}/namespaces/{namespace}/seldondeployments/{name}"
    assert httpx.get(deployment, timeout=10).json()["status"]["state"] == "Available"
