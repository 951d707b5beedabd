"""Explainers per deployment and explanations: built once, run in worker threads, answered quickly or by id."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from warden_common.errors import BadRequest, NotFound, ServiceUnavailable, WardenError
from warden_common.explainers import ExplainerSpec
from warden_common.logstore import LogStore
from warden_common.payloads import parse_request
from warden_common.upstreams import Upstreams
from warden_detectors.explainers.build import BuiltExplainer, build_explainer
from warden_detectors.explainers.logged import logged_instance
from warden_detectors.explainers.model import DataPlaneModel, ExplanationTimeout
from warden_detectors.explainers.repository import DeploymentKey, ExplanationsRepository, StoredExplainer
from warden_detectors.explainers.settings import ExplainSettings
from warden_detectors.explainers.sources import fetch_saved, load_reference, resolve_columns

logger = logging.getLogger(__name__)


STALE_MARGIN_S = 30.0
"""How long past its timeout a `running` explanation is taken as lost (its process stopped)."""


class NoExplainer(NotFound):
    code = "explainer_not_found"


class ExplanationFailed(WardenError):
    status_code = 422
    code = "explanation_failed"


class ExplainService:
    def __init__(
        self, repository: ExplanationsRepository, upstreams: Upstreams, settings: ExplainSettings,
        log_store: LogStore | None = None,
    ) -> None:  # fmt: skip
        self._repository = repository
        self._upstreams = upstreams
        self._settings = settings
        self._log_store = log_store
        self._executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="explainer")
        self._built: dict[DeploymentKey, tuple[datetime, BuiltExplainer]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._warming = False

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ----- explainers -----------------------------------------------------------------------
    async def set_explainer(self, key: DeploymentKey, spec: ExplainerSpec, source: str = "api") -> StoredExplainer:
        """Add or replace; the sources are read now so a wrong URI is a 4xx here, not at the first explanation."""
        if spec.reference_uri:
            await load_reference(spec.reference_uri, self._settings.object_store)
        if spec.model_uri:
            with tempfile.TemporaryDirectory(prefix="warden-explainer-") as tmp:
                await fetch_saved(spec.model_uri, self._settings.object_store, Path(tmp))
        self._built.pop(key, None)
        stored = await self._repository.put_explainer(key, spec, source)
        if not self._warming:  # import alibi (seconds) in a worker now, not at the first explanation
            self._warming = True
            asyncio.get_running_loop().run_in_executor(self._executor, _import_alibi)
        return stored

    async def explainer(self, key: DeploymentKey) -> StoredExplainer:
        stored = await self._repository.get_explainer(key)
        if stored is None:
            raise NoExplainer(f"{key.kind} {key.namespace}/{key.deployment} has no explainer; add one first")
        return stored

    async def remove_explainer(self, key: DeploymentKey, source: str | None = None) -> bool:
        self._built.pop(key, None)
        return await self._repository.delete_explainer(key, source)

    # ----- explanations ---------------------------------------------------------------------
    async def explain(
        self, key: DeploymentKey, payload: Any, request_id: str | None, instance: int
    ) -> tuple[int, dict[str, Any]]:
        """(200, alibi's explanation) when ready within `answer_within_s`, else (202, where to poll); a failure is
        (its status, the error body with the explanation's id in `details`)."""
        stored = await self.explainer(key)
        if payload is None:
            if request_id is None:
                raise BadRequest("send the prediction payload to explain, or requestId (and instance) of a logged one")
            if self._log_store is None:
                raise ServiceUnavailable("explaining a logged request needs the log store, which is not configured")
            row = await logged_instance(self._log_store, key, request_id, instance)
        else:
            row = _instance_of(payload, instance)
        explanation_id = await self._repository.start_explanation(key, stored.spec.type, request_id, instance)
        task = asyncio.create_task(self._run(key, stored, explanation_id, row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=self._settings.answer_within_s)
        if not done:
            return 202, {"id": explanation_id, "status": "running"}
        result, error = task.result()
        if error is not None:  # the error body, saying which stored explanation failed
            details = error.details if isinstance(error.details, dict) else {}
            return error.status_code, {**error.to_body(), "details": {**details, "explanationId": explanation_id}}
        return 200, {**result, "explanationId": explanation_id}

    async def explanation(self, key: DeploymentKey, explanation_id: str) -> dict[str, Any]:
        await self._repository.interrupt_stale(self._settings.timeout_s + STALE_MARGIN_S)
        found = await self._repository.get(key, explanation_id)
        if found is None:
            raise NotFound(f"no explanation {explanation_id} for {key.namespace}/{key.deployment}")
        return found

    async def of_request(self, key: DeploymentKey, request_id: str) -> list[dict[str, Any]]:
        await self._repository.interrupt_stale(self._settings.timeout_s + STALE_MARGIN_S)
        return await self._repository.of_request(key, request_id)

    async def _run(
        self, key: DeploymentKey, stored: StoredExplainer, explanation_id: str, row: Any
    ) -> tuple[dict[str, Any], WardenError | None]:
        deadline = time.monotonic() + self._settings.timeout_s
        error: WardenError | None = None
        result: dict[str, Any] = {}
        try:
            built = await self._explainer_for(key, stored, deadline)
            work = asyncio.get_running_loop().run_in_executor(self._executor, built.explain, row, deadline)
            result = await asyncio.wait_for(work, timeout=max(deadline - time.monotonic(), 0.001))
        except TimeoutError:
            error = ExplanationTimeout(f"the explanation took longer than {self._settings.timeout_s}s and was stopped")
        except WardenError as exc:
            error = exc
        except Exception as exc:  # alibi's own failures, or ours (a model call) that alibi wrapped in its own
            error = _warden_cause(exc)
            if error is None:
                logger.exception("explanation %s of %s/%s failed", explanation_id, key.namespace, key.deployment)
                error = ExplanationFailed(f"{stored.spec.type} could not explain this instance: {exc!r}")
        await self._repository.finish(explanation_id, result if error is None else None, _body(error))
        return result, error

    async def _explainer_for(self, key: DeploymentKey, stored: StoredExplainer, deadline: float) -> BuiltExplainer:
        cached = self._built.get(key)
        if cached is not None and cached[0] == stored.updated_at:
            return cached[1]
        spec, settings = stored.spec, self._settings
        reference = await load_reference(spec.reference_uri, settings.object_store) if spec.reference_uri else None
        columns = await resolve_columns(spec, self._upstreams)
        loop = asyncio.get_running_loop()
        model = DataPlaneModel(self._upstreams, loop, key.namespace, key.deployment, settings.model_call_timeout_s)
        model.deadline = deadline
        with tempfile.TemporaryDirectory(prefix="warden-explainer-") as tmp:
            saved = await fetch_saved(spec.model_uri, settings.object_store, Path(tmp)) if spec.model_uri else None
            work = loop.run_in_executor(self._executor, build_explainer, spec, model, reference, columns, saved)
            built = await asyncio.wait_for(work, timeout=max(deadline - time.monotonic(), 0.001))
        self._built[key] = (stored.updated_at, built)
        return built


def _instance_of(payload: Any, instance: int) -> Any:
    parsed = parse_request(payload)
    if parsed.protocol == "unparsed" or not parsed.instances:
        raise BadRequest("the payload to explain is not a Seldon, V2 or TensorFlow prediction request")
    if not 0 <= instance < len(parsed.instances):
        raise BadRequest(f"instance {instance} is out of range: the payload holds {len(parsed.instances)} instances")
    return parsed.instances[instance].instance


def _import_alibi() -> None:
    import alibi.explainers  # noqa: F401


def _warden_cause(exc: BaseException) -> WardenError | None:
    """The WardenError (a failed model call, a timeout) behind an exception alibi raised from it, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, WardenError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _body(error: WardenError | None) -> dict[str, Any] | None:
    return None if error is None else error.to_body()
