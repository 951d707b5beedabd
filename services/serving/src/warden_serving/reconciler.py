"""Follow the deployment topic and make the local runtime run what it says.

The bus handler only records the desired state (durably, on disk) and wakes a per-deployment worker, so a
slow model start never holds up the consumer; each worker applies the latest desired state, once per change.
The runtime's own status events on the same topic are not spec changes and are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from warden_common.bus.port import Bus, Subscription
from warden_common.codec import Event
from warden_common.errors import WardenError
from warden_common.events import DEPLOYMENT_CREATED, DEPLOYMENT_DELETED, DEPLOYMENT_UPDATED
from warden_common.topics import DEPLOYMENTS
from warden_serving.dataplane.metrics import forget_deployment
from warden_serving.desired import Desired, DesiredStore
from warden_serving.runtime.port import DeploymentState, Runtime, StatusChange, StatusListener
from warden_serving.specs import plan_from_spec

logger = logging.getLogger(__name__)

CONSUMER_GROUP = "serving-runtime"
_SPEC_EVENTS = {DEPLOYMENT_CREATED, DEPLOYMENT_UPDATED, DEPLOYMENT_DELETED}


class Reconciler:
    def __init__(self, bus: Bus, runtime: Runtime, store: DesiredStore, report: StatusListener) -> None:
        self._bus = bus
        self._runtime = runtime
        self._store = store
        self._report = report
        self._wake: dict[str, asyncio.Event] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        for desired in self._store.all_live():  # what was running before a restart
            self._kick(desired.namespace, desired.name)
        self._subscription = await self._bus.subscribe(DEPLOYMENTS, group=CONSUMER_GROUP, handler=self.handle)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.stop()
        for task in self._workers.values():
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def handle(self, event: Event) -> None:
        if event.get_type() not in _SPEC_EVENTS:
            return
        data = event.get_data()
        if not isinstance(data, dict) or not data.get("namespace") or not data.get("name"):
            logger.warning("deployment event %s without namespace/name; ignored", event.get_id())
            return
        time = event.get_time() or datetime.now(UTC)
        deleted = event.get_type() == DEPLOYMENT_DELETED
        desired = Desired(
            namespace=str(data["namespace"]), name=str(data["name"]), kind=str(data.get("kind") or "SeldonDeployment"),
            time=time.isoformat(), spec=None if deleted else dict(data.get("spec") or {}),
        )  # fmt: skip
        if self._store.accept(desired):
            self._kick(desired.namespace, desired.name)

    def _kick(self, namespace: str, name: str) -> None:
        key = f"{namespace}/{name}"
        self._wake.setdefault(key, asyncio.Event()).set()
        if key not in self._workers or self._workers[key].done():
            self._workers[key] = asyncio.create_task(self._work(namespace, name), name=f"reconcile-{key}")

    async def _work(self, namespace: str, name: str) -> None:
        wake = self._wake[f"{namespace}/{name}"]
        while wake.is_set():
            wake.clear()
            desired = self._store.get(namespace, name)
            try:
                await self._reconcile(namespace, name, desired)
            except Exception:
                logger.exception("reconciling %s/%s failed", namespace, name)

    async def _reconcile(self, namespace: str, name: str, desired: Desired | None) -> None:
        if desired is None or desired.spec is None:
            await self._runtime.remove(namespace, name)
            forget_deployment(namespace, name)
            return
        try:
            plan = plan_from_spec(namespace, name, desired.kind, desired.spec)
        except WardenError as exc:
            await self._runtime.remove(namespace, name)
            await self._report(
                StatusChange(namespace, name, desired.kind, DeploymentState.FAILED, None, exc.message, ())
            )
            return
        await self._runtime.apply(plan)
