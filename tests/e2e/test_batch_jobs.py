"""Batch jobs end to end against `warden up` (auth off: auth is test_sdk_batch_jobs'), the iris demo model served
by MLServer, moto S3 and a local file: 10,000-line batch prediction and batch feedback jobs, output in input order
equal to the per-line online predictions; then the batch service as its own process (distributed mode) killed
with SIGKILL mid-job, restarted, and the job completes with every line exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import numpy as np
import pytest
from sklearn.datasets import load_iris

from warden_common.testing.processes import free_port, running_warden_up, wait_http_ok, warden_executable

from .iris_demo import API, AVAILABLE_WITHIN_S, DEPLOYMENT, PREDICT, iris, wait_until

pytestmark = pytest.mark.integration

LINES = 10_000
JOBS = f"{DEPLOYMENT}/batchjobs"
ROWS = [[float(v) for v in row] for row in load_iris().data]


def _rows() -> list[list[float]]:
    return [ROWS[i % len(ROWS)] for i in range(LINES)]


def _finished(client: httpx.Client, url: str, within_s: float = 90) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        description: dict[str, Any] = answer.json()["Description"]
        return description if description["workflowStatus"] in ("Succeeded", "Failed") else None

    finished: dict[str, Any] = wait_until(f"{url} finished", done, within_s)
    return finished


def _check_output(text: str, online: dict[int, Any], uid: str) -> None:
    lines = text.splitlines()
    assert len(lines) == LINES
    for index, line in enumerate(lines):
        out = json.loads(line)
        assert out["meta"]["tags"]["batch_index"] == index  # input order
        assert out["meta"]["tags"]["batch_id"] == uid
        expected = online[index % len(ROWS)]
        assert out["data"]["names"] == expected["names"], (index, out)
        # The same model answer; a mini-batch's floats may differ in the last bit from a single row's.
        np.testing.assert_allclose(out["data"]["ndarray"], expected["ndarray"], rtol=1e-12, err_msg=str(index))
    assert len({json.loads(line)["meta"]["tags"]["batch_instance_id"] for line in lines}) == LINES


@pytest.fixture
def warden_off(tmp_path: Path, s3_endpoint_url: str) -> Iterator[str]:
    env = {"WARDEN_AUTH__ENABLED": "false", "WARDEN_BATCH_OBJECT_STORE__ENDPOINT_URL": s3_endpoint_url,
           "WARDEN_BATCH_OBJECT_STORE__ACCESS_KEY_ID": "k",
           "WARDEN_BATCH_OBJECT_STORE__SECRET_ACCESS_KEY": "s"}  # fmt: skip
    home = tmp_path / "wh"
    with running_warden_up(home, ready_within_s=60, env=env) as base:
        yield base


TRAIN_IRIS = """
import sys, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
x, y = load_iris(return_X_y=True)
joblib.dump(LogisticRegression(max_iter=1000).fit(x, y), sys.argv[1])
"""


@pytest.fixture
def iris_model(tmp_path: Path, mlserver_bin: str) -> str:
    """`warden demo`'s iris-sklearn model alone (the whole demo takes a minute), trained in MLServer's venv."""
    folder = tmp_path / "iris-sklearn"
    folder.mkdir()
    python = Path(mlserver_bin).with_name("python")
    subprocess.run([str(python), "-c", TRAIN_IRIS, str(folder / "model.joblib")], check=True, timeout=120)
    return folder.as_uri()


def _batch_process(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen([str(warden_executable()), "serve", "batch", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, 60)
    return proc


def test_batch_predict_and_feedback_local_and_s3_and_resume_after_kill(
    warden_off: str, iris_model: str, tmp_path: Path, s3_endpoint_url: str, unique_name: str,
    fresh_database: str,
) -> None:  # fmt: skip
    bucket = unique_name.replace("_", "-")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1", aws_access_key_id="k",
                      aws_secret_access_key="s")  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    source = tmp_path / "input.txt"
    source.write_text("".join(json.dumps(row) + "\n" for row in _rows()))
    feedback = tmp_path / "feedback.txt"
    feedback.write_text("".join(json.dumps({"response": {"data": {"ndarray": [[i % 3]]}},
                                            "truth": {"data": {"ndarray": [[(i % 3) if i % 10 else 0]]}}}) + "\n"
                                for i in range(LINES)))  # fmt: skip
    s3.upload_file(str(feedback), bucket, "feedback-input-90.txt")

    with httpx.Client(base_url=warden_off, timeout=30) as client:
        created = client.post(f"{API}/namespaces/seldon/seldondeployments", json=iris(iris_model))
        assert created.status_code == 201, created.text
        wait_until("iris Available", lambda: client.get(DEPLOYMENT).json()["status"].get("state") == "Available",
                   AVAILABLE_WITHIN_S)  # fmt: skip
        online = {}
        for i, row in enumerate(ROWS):
            answer = client.post(PREDICT, json={"data": {"ndarray": [row]}})
            assert answer.status_code == 200, answer.text
            online[i] = answer.json()["data"]

        # Bad definitions: 422 naming the field.
        bad = client.post(JOBS, json={"inputData": str(source), "outputData": "gs://x/y", "batchWorkers": "many"})
        assert bad.status_code == 422, bad.text
        assert "outputData" in bad.text and "batchWorkers" in bad.text

        # Batch prediction: local file in, local file out (with the job's name in it), mini-batches of 10.
        predict = {"inputData": str(source), "outputData": f"file://{tmp_path}/out-{{{{workflow.name}}}}.txt",
                   "batchMethod": "Predict", "batchDataType": "data", "batchSize": 10, "batchWorkers": "4",
                   "batchRetries": "2"}  # fmt: skip
        posted = client.post(JOBS, json=predict)
        assert posted.status_code == 201, posted.text
        name, uid = posted.json()["workflowName"], posted.json()["workflowUID"]
        description = _finished(client, f"{JOBS}/{name}")
        assert description["workflowStatus"] == "Succeeded", description
        assert description["progress"]["linesDone"] == LINES and description["progress"]["linesTotal"] == LINES
        _check_output((tmp_path / f"out-{name}.txt").read_text(), online, uid)

        # Batch feedback: S3 in, S3 out, raw lines sent one by one to the feedback route.
        fb = {"inputData": f"s3://{bucket}/feedback-input-90.txt", "outputData": f"s3://{bucket}/out-fb.txt",
              "batchMethod": "feedback", "batchDataType": "raw", "batchWorkers": "16"}  # fmt: skip
        posted = client.post(JOBS, json=fb)
        assert posted.status_code == 201, posted.text
        description = _finished(client, f"{JOBS}/{posted.json()['workflowName']}")
        assert description["workflowStatus"] == "Succeeded", description
        out = s3.get_object(Bucket=bucket, Key="out-fb.txt")["Body"].read().decode().splitlines()
        assert len(out) == LINES
        assert [json.loads(line)["meta"]["tags"]["batch_index"] for line in out] == list(range(LINES))
        assert not [line for line in out if "FAILURE" in line]

        listed = client.get(JOBS, params={"limit": 1})
        assert listed.status_code == 200 and listed.json()["pagesCount"] == 2, listed.text

    # The batch service alone (distributed mode), killed mid-job and started again.
    port = free_port()
    env = {**os.environ, "WARDEN_BATCH_DATABASE__DSN": fresh_database, "WARDEN_BATCH_BUS__KIND": "postgres",
           "WARDEN_BATCH_BUS__POSTGRES_DSN": fresh_database, "WARDEN_BATCH_AUTO_MIGRATE": "true",
           "WARDEN_BATCH_UPSTREAMS__SERVING": warden_off, "WARDEN_BATCH_LEASE_S": "1.5",
           "WARDEN_BATCH_CHUNK_LINES": "100", "WARDEN_BATCH_DATA_DIR": str(tmp_path / "batch-data"),
           "WARDEN_BATCH_LOG_LEVEL": "WARNING"}  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    jobs = "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs"
    proc = _batch_process(env, port, tmp_path / "batch.log")
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            job = {**predict, "outputData": str(tmp_path / "resumed.txt")}
            posted = client.post(jobs, json=job)
            assert posted.status_code == 201, posted.text
            name, uid = posted.json()["workflowName"], posted.json()["workflowUID"]

            def partly_done() -> bool:
                done = int(client.get(f"{jobs}/{name}").json()["Description"]["progress"]["linesDone"])
                assert done < LINES, "the job finished before it could be killed"
                return done >= 2000

            wait_until("2000 lines done", partly_done, 60, interval_s=0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc = _batch_process(env, port, tmp_path / "batch.log")
        with httpx.Client(base_url=base, timeout=30) as client:
            description = _finished(client, f"{jobs}/{name}")
        assert description["workflowStatus"] == "Succeeded", description
        assert description["progress"]["linesDone"] == LINES
        _check_output((tmp_path / "resumed.txt").read_text(), online, uid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
