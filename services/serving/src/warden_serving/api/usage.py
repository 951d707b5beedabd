"""`GET /api/v1alpha1/runtime/usage` (internal: the gateway samples it): CPU and memory of every predictor's MLServer
processes right now, read with psutil. A replica's process tree counts (MLServer's parallel inference workers are
its children). CPU is in cores, averaged since the previous reading of the same process (0 on the first)."""

from __future__ import annotations

from typing import Any

import psutil
from fastapi import APIRouter, Request

from warden_common.api_docs import INTERNAL_ONLY

router = APIRouter(prefix="/api/v1alpha1", tags=["runtime"])


class UsageMeter:
    """Keeps a `psutil.Process` per pid, so `cpu_percent` measures the interval since the last reading."""

    def __init__(self) -> None:
        self._processes: dict[int, psutil.Process] = {}

    def _process(self, pid: int) -> psutil.Process:
        known = self._processes.get(pid)
        if known is None or not known.is_running():
            known = self._processes[pid] = psutil.Process(pid)
        return known

    def tree(self, pid: int) -> tuple[int, float, int]:
        """(processes, cpu cores, resident bytes) of `pid` and its descendants; zeros when it is gone."""
        try:
            root = self._process(pid)
            members = [root, *(self._process(child.pid) for child in root.children(recursive=True))]
        except psutil.Error:
            return 0, 0.0, 0
        count, cores, rss = 0, 0.0, 0
        for member in members:
            try:
                with member.oneshot():
                    cores += member.cpu_percent(None) / 100.0
                    rss += member.memory_info().rss
                count += 1
            except psutil.Error:
                continue  # ended between listing and reading
        return count, cores, rss

    def forget_ended(self) -> None:
        self._processes = {pid: p for pid, p in self._processes.items() if p.is_running()}


def usage(runtime: Any, meter: UsageMeter) -> list[dict[str, Any]]:
    samples = []
    for deployment in runtime.overview():
        found = runtime.resources(deployment["namespace"], deployment["name"]) or {}
        counted: set[int] = set()  # predictors with the same model share processes: counted once, for the first
        for predictor in found.get("predictors", []):
            processes, cores, rss = 0, 0.0, 0
            for replica in predictor.get("replicas", []):
                if replica.get("pid") and int(replica["pid"]) not in counted:
                    counted.add(int(replica["pid"]))
                    n, c, r = meter.tree(int(replica["pid"]))
                    processes, cores, rss = processes + n, cores + c, rss + r
            samples.append({
                "namespace": deployment["namespace"], "name": deployment["name"], "kind": deployment["kind"],
                "predictor": predictor["name"], "processes": processes, "cpuCores": round(cores, 4),
                "memoryBytes": rss,
            })  # fmt: skip
    meter.forget_ended()
    return samples


@router.get("/runtime/usage", openapi_extra=INTERNAL_ONLY)
async def runtime_usage(request: Request) -> dict[str, Any]:
    state = request.app.state
    if getattr(state, "usage_meter", None) is None:
        state.usage_meter = UsageMeter()
    return {"usage": usage(state.runtime, state.usage_meter)}
