"""Batch jobs: lines/s of a Warden batch job vs `seldon-batch-processor` (seldon-core 1.18.2, its own venv) on the same
deployment with the same workers and mini-batch size, in the same run; and the batch service's memory over a large
input (a distributed `warden serve batch` process, its RSS sampled while it runs).

    uv venv -p 3.11 /tmp/seldon-core-venv && VIRTUAL_ENV=/tmp/seldon-core-venv uv pip install seldon-core==1.18.2
    uv run --no-sync python bench/batch/run.py --lines 20000 --workers 4 --batch-size 10 --rounds 2 \
        --feedback-lines 10000 --memory-lines 100000 1000000 --seldon /tmp/seldon-core-venv/bin/seldon-batch-processor

Needs the test servers (PostgreSQL; WARDEN_INFRA_HOME) and MLServer's venv, like the e2e tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from sklearn.datasets import load_iris

from warden_common.testing.processes import free_port, running_warden_up, wait_http_ok, warden_executable
from warden_common.testing.servers import get_server, mlserver
from warden_common.testing.servers.databases import create_database, drop_database, with_database
from warden_common.testing.servers.tools import run_sync

API = "/seldon-deploy/api/v1alpha1"
DEPLOYMENT = f"{API}/namespaces/seldon/seldondeployments/iris"
TRAIN = """
import sys, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
x, y = load_iris(return_X_y=True)
joblib.dump(LogisticRegression(max_iter=1000).fit(x, y), sys.argv[1])
"""


def write_input(path: Path, lines: int) -> None:
    rows = [[float(v) for v in row] for row in load_iris().data]
    with path.open("w") as out:
        for i in range(lines):
            out.write(json.dumps([rows[i % len(rows)]]) + "\n")  # one row per line, as seldon's mini-batching needs


def deploy(client: httpx.Client, model: Path) -> None:
    body = {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": "iris", "namespace": "seldon"},
            "spec": {"predictors": [{"name": "default", "replicas": 1, "traffic": 100, "graph": {
                "name": "classifier", "implementation": "SKLEARN_SERVER", "modelUri": model.as_uri()}}]}}  # fmt: skip
    client.post(f"{API}/namespaces/seldon/seldondeployments", json=body).raise_for_status()
    deadline = time.monotonic() + 180
    while client.get(DEPLOYMENT).json()["status"].get("state") != "Available":
        if time.monotonic() > deadline:
            raise SystemExit("iris did not become Available")
        time.sleep(0.5)


def run_job(client: httpx.Client, jobs: str, definition: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    name = client.post(jobs, json=definition).raise_for_status().json()["workflowName"]
    while True:
        description: dict[str, Any] = client.get(f"{jobs}/{name}").json()["Description"]
        if description["workflowStatus"] in ("Succeeded", "Failed"):
            return time.monotonic() - started, description
        time.sleep(0.2)


def run_seldon(binary: str, base: str, source: Path, output: Path, workers: int, size: int) -> float:
    host = base.removeprefix("http://")
    command = [binary, "-d", "iris", "-n", "seldon", "-g", "istio", "-h", host, "--transport", "rest", "-a", "data",
               "-p", "ndarray", "-w", str(workers), "-r", "3", "-i", str(source), "-o", str(output), "-m", "predict",
               "-s", str(size), "-l", "warning"]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"seldon-batch-processor failed:\n{done.stderr[-2000:]}")
    elapsed = time.monotonic() - started
    failures = sum("FAILURE" in line for line in output.open())
    if failures:
        raise SystemExit(f"seldon-batch-processor wrote {failures} FAILURE lines")
    return elapsed


def memory_run(base: str, folder: Path, lines: int, workers: int, size: int) -> dict[str, Any]:
    source = folder / "memory-input.txt"
    write_input(source, lines)
    server = get_server("postgres")
    server.start()
    dsn_admin = server.endpoint
    database = f"bench_batch_{os.getpid()}"
    run_sync(lambda: create_database(dsn_admin, database))
    dsn = with_database(dsn_admin, database)
    port = free_port()
    env = {**os.environ, "WARDEN_BATCH_DATABASE__DSN": dsn, "WARDEN_BATCH_BUS__KIND": "postgres",
           "WARDEN_BATCH_BUS__POSTGRES_DSN": dsn, "WARDEN_BATCH_AUTO_MIGRATE": "true",
           "WARDEN_BATCH_UPSTREAMS__SERVING": base, "WARDEN_BATCH_LOG_LEVEL": "WARNING",
           "WARDEN_BATCH_DATA_DIR": str(folder / "batch-data")}  # fmt: skip
    proc = subprocess.Popen([str(warden_executable()), "serve", "batch", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL)  # fmt: skip
    samples: list[int] = []
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/health/ready", proc, 60)
        process = psutil.Process(proc.pid)
        jobs = "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            definition = {"inputData": str(source), "outputData": str(folder / "memory-output.txt"),
                          "batchSize": size, "batchWorkers": str(workers)}  # fmt: skip
            name = client.post(jobs, json=definition).raise_for_status().json()["workflowName"]
            started = time.monotonic()
            while True:
                samples.append(process.memory_info().rss)
                description = client.get(f"{jobs}/{name}").json()["Description"]
                if description["workflowStatus"] in ("Succeeded", "Failed"):
                    break
                time.sleep(0.5)
            elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        run_sync(lambda: drop_database(dsn_admin, database))
    mib = [s / 2**20 for s in samples]
    tenth = max(1, len(mib) // 10)
    return {"lines": lines, "status": description["workflowStatus"], "seconds": round(elapsed, 1),
            "lines_per_s": round(lines / elapsed), "rss_mib_first_10pct_max": round(max(mib[:tenth]), 1),
            "rss_mib_last_10pct_max": round(max(mib[-tenth:]), 1), "rss_mib_peak": round(max(mib), 1),
            "samples": len(mib), "input_mib": round(source.stat().st_size / 2**20, 1)}  # fmt: skip


def feedback_run(client: httpx.Client, folder: Path, lines: int, workers: int) -> list[dict[str, Any]]:
    """Seed §5.1.8.6 at full size: a feedback job whose truths equal the predictions on 90% of the lines, then one
    at 40%, into a metrics server; lines/s of each job and the accuracy the metrics server then reports."""
    metrics = f"{DEPLOYMENT}/monitor/metrics-server"
    config = {"name": "bench-metrics", "config": {"basic": {"model_type": "multiclass_numeric", "classes": 3}}}
    client.post(metrics, json=config).raise_for_status()
    while client.get(f"{metrics}/bench-metrics").json()["status"]["state"] != "Loaded":
        time.sleep(0.5)
    runs, sent = [], 0
    for right_per_10 in (9, 4):
        source = folder / f"feedback-{right_per_10}0.txt"
        with source.open("w") as out:
            for i in range(lines):
                truth = i % 3 if i % 10 < right_per_10 else (i + 1) % 3
                out.write(json.dumps({"response": {"data": {"ndarray": [[i % 3]]}},
                                      "truth": {"data": {"ndarray": [[truth]]}}}) + "\n")  # fmt: skip
        definition = {"inputData": str(source), "outputData": str(folder / f"feedback-{right_per_10}0-out.txt"),
                      "batchMethod": "feedback", "batchDataType": "raw", "batchWorkers": str(workers)}  # fmt: skip
        elapsed, description = run_job(client, f"{DEPLOYMENT}/batchjobs", definition)
        assert description["workflowStatus"] == "Succeeded" and not description["message"], description
        sent += lines
        while (summary := client.get(f"{metrics}/bench-metrics/metrics").json())["rows"] < sent:
            time.sleep(0.2)
        runs.append({"right_per_10": right_per_10, "lines_per_s": round(lines / elapsed),
                     "rows_counted": summary["rows"], "accuracy": summary["overall"]["accuracy"]})  # fmt: skip
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seldon", default="/tmp/seldon-core-venv/bin/seldon-batch-processor")
    parser.add_argument("--feedback-lines", type=int, default=0, help="seed §5.1.8.6: 90%% then 40%% right")
    parser.add_argument(
        "--memory-lines",
        type=int,
        nargs="*",
        default=[],
        help="one memory run per size (compare two sizes to tell flat from growing)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    model = folder / "iris"
    model.mkdir()
    python = Path(str(mlserver.install())).with_name("python")
    subprocess.run([str(python), "-c", TRAIN, str(model / "model.joblib")], check=True)
    source = folder / "input.txt"
    write_input(source, args.lines)
    results: dict[str, Any] = {"load_before": os.getloadavg(), "lines": args.lines, "workers": args.workers,
                               "batch_size": args.batch_size, "warden": [], "seldon": []}  # fmt: skip
    with running_warden_up(folder / "wh", ready_within_s=120, env={"WARDEN_AUTH__ENABLED": "false"}) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            deploy(client, model)
            definition = {"inputData": str(source), "outputData": str(folder / "warden-out.txt"),
                          "batchSize": args.batch_size, "batchWorkers": str(args.workers)}  # fmt: skip
            for _ in range(args.rounds):
                elapsed, description = run_job(client, f"{DEPLOYMENT}/batchjobs", definition)
                assert description["workflowStatus"] == "Succeeded" and not description["message"], description
                results["warden"].append(round(args.lines / elapsed))
                elapsed = run_seldon(args.seldon, base, source, folder / "seldon-out.txt", args.workers,
                                     args.batch_size)  # fmt: skip
                results["seldon"].append(round(args.lines / elapsed))
            if args.feedback_lines:
                results["feedback"] = feedback_run(client, folder, args.feedback_lines, 16)
        results["memory"] = [memory_run(base, folder, lines, args.workers, 100) for lines in args.memory_lines]
    results["load_after"] = os.getloadavg()
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
