"""`warden batch ...`: start, follow (a progress bar: lines done / total, rate, ETA), list and cancel batch jobs
through the public API, with the token `warden login` kept."""

from __future__ import annotations

import time
from typing import Annotated, Any
from urllib.parse import quote

import typer

from warden_gateway.auth_cli import UrlOption, _call

batch_app = typer.Typer(help="Batch prediction and batch feedback jobs of a deployment.", no_args_is_help=True)

Namespace = Annotated[str, typer.Argument(help="Namespace of the deployment.")]
Deployment = Annotated[str, typer.Argument(help="Deployment name.")]
Job = Annotated[str, typer.Argument(help="Job name (what `warden batch submit` printed).")]
Kind = Annotated[str, typer.Option("--kind", help="seldondeployments or inferenceservices.", show_default=True)]
FINISHED = ("Succeeded", "Failed")


def _jobs_path(namespace: str, deployment: str, kind: str) -> str:
    return (f"/seldon-deploy/api/v1alpha1/namespaces/{quote(namespace, safe='')}/{quote(kind, safe='')}/"
            f"{quote(deployment, safe='')}/batchjobs")  # fmt: skip


def describe(description: dict[str, Any]) -> str:
    """One line: status, lines done / total, failed, rate and ETA."""
    progress = description.get("progress") or {}
    total = progress.get("linesTotal")
    parts = [
        str(description.get("workflowStatus")),
        f"{progress.get('linesDone', 0)}/{total if total is not None else '?'} lines",
    ]
    if progress.get("linesFailed"):
        parts.append(f"{progress['linesFailed']} failed")
    if progress.get("linesPerSecond"):
        parts.append(f"{progress['linesPerSecond']:.0f} lines/s")
    if progress.get("etaSeconds") is not None:
        parts.append(f"ETA {progress['etaSeconds']:.0f}s")
    if description.get("message"):
        parts.append(str(description["message"]))
    return ", ".join(parts)


def follow(read: Any, name: str, interval_s: float = 1.0) -> dict[str, Any]:
    """Poll `read()` (a job's description) with a progress bar until the job has finished; its last description."""
    description: dict[str, Any] = read()
    while (description.get("progress") or {}).get("linesTotal") is None and description[
        "workflowStatus"
    ] not in FINISHED:
        time.sleep(interval_s)
        description = read()
    total = int((description.get("progress") or {}).get("linesTotal") or 0)
    shown = 0
    with typer.progressbar(length=total, label=name, show_eta=True, show_percent=True, show_pos=True) as bar:
        while True:
            done = int(description["progress"]["linesDone"])
            bar.update(done - shown)
            shown = done
            if description["workflowStatus"] in FINISHED:
                break
            time.sleep(interval_s)
            description = read()
    return description


@batch_app.command("submit")
def submit(
    namespace: Namespace,
    deployment: Deployment,
    input_data: Annotated[str, typer.Option("--input", help="Input: a local path, file:// or s3:// URI.")],
    output_data: Annotated[str, typer.Option("--output", help="Output location ({{workflow.name}}: the job's name).")],
    method: Annotated[str, typer.Option(help="predict or feedback.")] = "predict",
    data_type: Annotated[str, typer.Option("--data-type", help="data, json, str or raw.")] = "data",
    payload_type: Annotated[str, typer.Option("--payload-type", help="ndarray or tensor.")] = "ndarray",
    workers: Annotated[int, typer.Option(help="Requests in flight.")] = 4,
    retries: Annotated[int, typer.Option(help="Retries of a transient failure.")] = 3,
    size: Annotated[int, typer.Option("--batch-size", help="Lines per request.")] = 1,
    stop_on_failure: Annotated[bool, typer.Option("--stop-on-failure", help="Stop at the first failed line.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Follow it with a progress bar until it finishes.")] = False,
    kind: Kind = "seldondeployments",
    url: UrlOption = None,
) -> None:
    """Start a batch job; prints its name (and follows it with --wait)."""
    body = {"inputData": input_data, "outputData": output_data, "batchMethod": method, "batchDataType": data_type,
            "batchPayloadType": payload_type, "batchWorkers": str(workers), "batchRetries": str(retries),
            "batchSize": size, "stopOnFailure": stop_on_failure}  # fmt: skip
    path = _jobs_path(namespace, deployment, kind)
    created = _call("POST", url, path, json=body)
    name = created["workflowName"]
    typer.echo(name)
    if wait:
        _finish(follow(lambda: _call("GET", url, f"{path}/{quote(name, safe='')}")["Description"], name))


@batch_app.command("status")
def status(
    namespace: Namespace, deployment: Deployment, job: Job,
    watch: Annotated[bool, typer.Option("--watch", help="Follow it with a progress bar until it finishes.")] = False,
    kind: Kind = "seldondeployments", url: UrlOption = None,
) -> None:  # fmt: skip
    """A job's state and progress (lines done / total, rate, ETA)."""
    path = f"{_jobs_path(namespace, deployment, kind)}/{quote(job, safe='')}"
    if watch:
        _finish(follow(lambda: _call("GET", url, path)["Description"], job))
    else:
        typer.echo(describe(_call("GET", url, path)["Description"]))


@batch_app.command("list")
def list_jobs(
    namespace: Namespace, deployment: Deployment, kind: Kind = "seldondeployments", url: UrlOption = None
) -> None:
    """A deployment's batch jobs, newest first (the first 100)."""
    answer = _call("GET", url, _jobs_path(namespace, deployment, kind), params={"limit": 100})
    for description in answer["batchJobs"]:
        typer.echo(f"{description['workflowName']}\t{describe(description)}")


@batch_app.command("cancel")
def cancel(namespace: Namespace, deployment: Deployment, job: Job, kind: Kind = "seldondeployments",
           url: UrlOption = None) -> None:  # fmt: skip
    """Cancel a job (a running one stops within seconds; no output is written)."""
    path = f"{_jobs_path(namespace, deployment, kind)}/{quote(job, safe='')}"
    typer.echo(describe(_call("DELETE", url, path)))


def _finish(description: dict[str, Any]) -> None:
    typer.echo(describe(description))
    if description["workflowStatus"] != "Succeeded":
        raise typer.Exit(1)
