"""`warden batch`'s progress: the bar follows a job's description until it finishes; the status line says it all."""

from __future__ import annotations

from typing import Any

from warden_gateway.batch_cli import describe, follow


def _description(status: str, done: int, total: int | None, **extra: Any) -> dict[str, Any]:
    progress = {"linesDone": done, "linesFailed": 0, "linesTotal": total, "linesPerSecond": None, "etaSeconds": None}
    return {"workflowName": "iris-abcde", "workflowStatus": status, "progress": {**progress, **extra}}


def test_follow_polls_until_the_job_finishes_and_returns_its_last_state() -> None:
    states = iter([_description("Pending", 0, None), _description("Running", 0, 100),
                   _description("Running", 40, 100, linesPerSecond=20.0, etaSeconds=3.0),
                   _description("Succeeded", 100, 100)])  # fmt: skip
    calls = []

    def read() -> dict[str, Any]:
        calls.append(1)
        return next(states)

    last = follow(read, "iris-abcde", interval_s=0)
    assert last["workflowStatus"] == "Succeeded" and len(calls) == 4


def test_describe_gives_progress_rate_eta_and_the_message() -> None:
    line = describe(_description("Running", 40, 100, linesFailed=2, linesPerSecond=20.0, etaSeconds=3.0))
    assert line == "Running, 40/100 lines, 2 failed, 20 lines/s, ETA 3s"
    failed = {**_description("Failed", 10, None), "message": "cancelled"}
    assert describe(failed) == "Failed, 10/? lines, cancelled"
