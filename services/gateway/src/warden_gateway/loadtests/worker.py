"""The load generator in a process of its own: `python -m warden_gateway.loadtests.worker`.

A load test run inside the gateway would share its event loop with what it measures (in standalone the data plane
itself, in distributed mode the API): each side's work would delay the other's, and the latencies the job reports
would include the waits of the generator's own coroutines behind the server's. In its own process it is a client
like `hey`, which Seldon Deploy ran as a separate pod.

Protocol: the plan as one JSON line on stdin (stdin, not argv: it carries the caller's bearer token, which `ps`
would otherwise show); on stdout one JSON line `{"progress": summary}` when it starts and every `progress_s`
while it runs, then one `{"final": summary}` line. It stops early, writing `{"stopped": summary}` (the progress
made), on SIGTERM or when its stdin closes - the gateway closes it to stop the job, and the kernel closes it when
the gateway dies, so a load generator never outlives its gateway. The gateway starts it in a session of its own,
so a Ctrl-C meant for `warden up` reaches the gateway alone, which then stops the job and records its progress.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import sys
import threading
from dataclasses import asdict
from typing import Any

from warden_common.gc_tuning import tune_gc
from warden_gateway.loadtests.generator import LoadPlan, LoadRun, run_load


def encode_plan(plan: LoadPlan, job: str, progress_s: float) -> bytes:
    """What the gateway writes to the worker's stdin."""
    fields = asdict(plan)
    fields["payload"] = base64.b64encode(plan.payload).decode()
    return json.dumps({"plan": fields, "job": job, "progress_s": progress_s}).encode() + b"\n"


def decode_plan(raw: bytes) -> tuple[LoadPlan, str, float]:
    """The plan `encode_plan` wrote (one line)."""
    message: dict[str, Any] = json.loads(raw)
    fields = dict(message["plan"])
    fields["payload"] = base64.b64decode(fields["payload"])
    return LoadPlan(**fields), str(message["job"]), float(message["progress_s"])


def _emit(kind: str, run: LoadRun) -> None:
    sys.stdout.write(json.dumps({kind: run.summary()}, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def _cancel_at_end_of_input(loop: asyncio.AbstractEventLoop, load: asyncio.Task[LoadRun]) -> None:
    """Cancel `load` once stdin closes (a daemon thread: a blocking read must not keep the process alive)."""

    def wait() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the interpreter's exit
        while os.read(sys.stdin.fileno(), 4096):
            pass
        with contextlib.suppress(RuntimeError):  # the loop is closed already: the run is over anyway
            loop.call_soon_threadsafe(load.cancel)

    threading.Thread(target=wait, name="stdin-eof", daemon=True).start()


async def _main(raw: bytes) -> None:
    plan, job, progress_s = decode_plan(raw)
    run = LoadRun()
    load = asyncio.create_task(run_load(plan, job, run))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, load.cancel)
    _cancel_at_end_of_input(loop, load)
    _emit("progress", run)  # started: the gateway shows the job running from here
    while not load.done():
        await asyncio.wait({load}, timeout=progress_s)
        if not load.done():
            _emit("progress", run)
    try:
        await load
    except asyncio.CancelledError:
        _emit("stopped", run)
        return
    _emit("final", run)


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop where installed (uvicorn[standard] brings it, as for the servers): a client's per-call CPU shows in
    the latencies it reports, so the generator should cost no more than the server it measures."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - every supported platform has it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main() -> None:
    raw = sys.stdin.buffer.readline()
    if not raw.strip():
        sys.exit("no load plan on stdin")
    tune_gc()  # a collection pause while answers wait in the socket would count as the deployment's latency
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=_new_loop) as runner:
        runner.run(_main(raw))


if __name__ == "__main__":
    main()
