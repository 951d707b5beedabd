"""One prediction through a deployment: pick a live predictor by traffic, mirror to shadows, log, reply.

Events are built from the payloads exactly as the client sent and received them (plus, for shadows, what the
shadow answered); `emit` is awaited before the reply in the default delivery mode, so a 200 means logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import CodecError
from warden_common.errors import NotFound, ServiceUnavailable, WardenError
from warden_serving.dataplane import protocols as proto
from warden_serving.dataplane.forward import Forwarder, encode, parse_answer
from warden_serving.dataplane.metrics import PREDICTIONS, RequestMetrics
from warden_serving.eventlog.executor import EventContext, feedback_event, request_event, response_event
from warden_serving.eventlog.sinks import EventSink
from warden_serving.runtime.port import DeploymentRoute, RoutedPredictor, Runtime

logger = logging.getLogger(__name__)

SELDON, V2, TENSORFLOW = "seldon", "v2", "tensorflow"
_SERVED_BY_MEMORY = 100_000  # PUIDs remembered to send feedback to the predictor that answered


def served_models(route: DeploymentRoute) -> list[str]:
    """The model names a V2 / TensorFlow path may use: the deployment's own (KServe's convention) and, for a
    SeldonDeployment, the graph node names of its live predictors (what MLServer serves)."""
    names = [route.plan.name]
    if route.plan.kind != "InferenceService":
        names += [p.plan.model_name for p in route.live if p.plan.model_name not in names]
    return names


def require_model(route: DeploymentRoute, model: str) -> None:
    """`NotFound` naming the models served if `model` is not one of them."""
    served = served_models(route)
    if model not in served:
        raise NotFound(
            f"deployment {route.plan.namespace}/{route.plan.name} serves no model {model!r}; "
            f"it serves {', '.join(repr(name) for name in served)}",
            code="model_not_found",
        )


@dataclass
class Outcome:
    """Filled in while a call is served: which predictor answered it (for its request metrics)."""

    predictor: str | None = None


@dataclass(frozen=True)
class Call:
    namespace: str
    name: str
    protocol: str
    body: Any
    puid: str
    skip_logging: bool
    model: str | None = None
    raw: bytes | None = None
    """The body exactly as received: forwarded as is when the protocol is MLServer's own (V2)."""
    load_test: str | None = None
    """The load-test job that sent this call (header `X-Warden-Loadtest`): marked on its logged events."""
    explainer: bool = False
    """An explainer's model call (header `X-Warden-Explainer`): not counted in the metrics, not mirrored."""
    outcome: Outcome = field(default_factory=Outcome)


class DataPlane:
    def __init__(
        self,
        runtime: Runtime,
        forwarder: Forwarder,
        sink: EventSink,
        source: str,
        metrics: RequestMetrics | None = None,
    ) -> None:
        self.metrics = metrics or RequestMetrics()
        self._runtime = runtime
        self._forwarder = forwarder
        self._sink = sink
        self._source = source
        self._shadow_tasks: set[asyncio.Task[None]] = set()
        self._served_by: OrderedDict[str, str] = OrderedDict()
        self._rng = random.Random()

    def route(self, namespace: str, name: str) -> DeploymentRoute:
        route = self._runtime.route(namespace, name)
        if route is None:
            raise NotFound(f"deployment {namespace}/{name} is not running", code="deployment_not_found")
        if not route.live:
            raise ServiceUnavailable(f"deployment {namespace}/{name} has no live predictor", code="no_predictor")
        return route

    async def predict(self, call: Call, served: Callable[[str], None] | None = None) -> dict[str, Any] | bytes:
        """The reply: an object, or the model's own bytes when a V2 answer needs no change and is not logged.
        `served` is told the name of the predictor chosen to answer, before it is called."""
        route = self.route(call.namespace, call.name)
        if call.model is not None:
            require_model(route, call.model)
        target = self._choose(route.live)
        if served is not None:
            served(target.plan.name)
        call.outcome.predictor = target.plan.name
        request, adapt = self._translate(call, target)  # invalid input fails here, before any shadow or model call
        for shadow in () if call.explainer else route.shadows:
            self._spawn_shadow(route, shadow, call)
        try:
            answer = await self._forwarder.send(target, request, call.namespace, call.name, observed=not call.explainer)
        except WardenError:
            await self._log(call, route, target, None)
            raise
        self._remember(call.puid, target.plan.name)
        if call.skip_logging and self._passes_through(call, target):
            return answer
        reply: dict[str, Any] = adapt(answer)
        await self._log(call, route, target, reply)
        return reply

    async def feedback(self, call: Call) -> dict[str, Any]:
        route = self.route(call.namespace, call.name)
        body = proto.require_object(call.body, "feedback")
        unknown = sorted(set(body) - {"request", "response", "reward", "truth"})
        if unknown:
            raise proto.InvalidPayload(f"feedback accepts request, response, reward and truth; unknown keys {unknown}")
        if "reward" in body and body["reward"] is not None and not isinstance(body["reward"], int | float):
            raise proto.InvalidPayload("feedback reward must be a number")
        served = self._served_by.get(call.puid)
        target = next((p for p in (*route.live, *route.shadows) if p.plan.name == served), route.live[0])
        call.outcome.predictor = target.plan.name
        if not call.skip_logging:
            event = self._emit_guarded(lambda ctx: feedback_event(ctx, body), self._context(call, route, target))
            if event is not None:
                await self._sink.emit([(event, call.puid)])
        return {"meta": {"puid": call.puid, "tags": {}, "routing": {}, "requestPath": {}}}

    def default_predictor(self, namespace: str, name: str) -> str | None:
        """Where a call that failed before a predictor was chosen is counted: the deployment's first live
        predictor (None when the deployment is not running: unknown names make no series)."""
        route = self._runtime.route(namespace, name)
        return route.live[0].plan.name if route is not None and route.live else None

    async def drain_shadows(self) -> None:
        await asyncio.gather(*list(self._shadow_tasks), return_exceptions=True)

    # ----- internals -------------------------------------------------------------------------
    def _choose(self, live: tuple[RoutedPredictor, ...]) -> RoutedPredictor:
        if len(live) == 1:
            return live[0]
        weights = [max(p.plan.traffic, 0) for p in live]
        if sum(weights) == 0:
            weights = [1] * len(live)
        return self._rng.choices(live, weights=weights)[0]

    @staticmethod
    def _passes_through(call: Call, target: RoutedPredictor) -> bool:
        """A V2 answer goes back as MLServer wrote it when it already names the model the caller asked for."""
        return call.protocol == V2 and call.model in (None, target.endpoint.internal_model_name)

    def _translate(self, call: Call, target: RoutedPredictor) -> tuple[bytes, Callable[[bytes], dict[str, Any]]]:
        """The V2 body to send and how to turn the model's answer into the reply."""
        plan = target.plan

        def answer(raw: bytes) -> dict[str, Any]:
            return parse_answer(raw, plan.name)

        if call.protocol == SELDON:
            request, shape = proto.seldon_to_v2(call.body, plan)
            return encode(request), lambda raw: proto.v2_to_seldon(answer(raw), shape, call.puid, plan)
        if call.protocol == TENSORFLOW:
            return encode(proto.v1_to_v2(call.body)), lambda raw: proto.v2_to_v1(answer(raw))
        request = proto.check_v2_request(call.body)
        body = call.raw if call.raw is not None else encode(request)  # valid V2 needs no re-encoding
        return body, lambda raw: {**answer(raw), "model_name": call.model or plan.model_name}

    def _spawn_shadow(self, route: DeploymentRoute, shadow: RoutedPredictor, call: Call) -> None:
        task = asyncio.create_task(self._shadow(route, shadow, call))
        self._shadow_tasks.add(task)
        task.add_done_callback(self._shadow_tasks.discard)

    async def _shadow(self, route: DeploymentRoute, shadow: RoutedPredictor, call: Call) -> None:
        """A mirrored call: its answer is logged and dropped; its failures never reach the client. It is counted
        under the shadow predictor, as the shadow's own executor would count it."""
        started = time.perf_counter()
        code = 500
        try:
            request, adapt = self._translate(call, shadow)
            reply = adapt(await self._forwarder.send(shadow, request, call.namespace, call.name))
            code = 200
            await self._log(call, route, shadow, reply)
        except WardenError as exc:
            code = exc.status_code
            logger.warning("shadow %s of %s/%s failed: %s", shadow.plan.name, call.namespace, call.name, exc.message)
            await self._log(call, route, shadow, None)
        except Exception:
            logger.exception("shadow %s of %s/%s failed", shadow.plan.name, call.namespace, call.name)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.served(call.namespace, call.name, shadow.plan.name, PREDICTIONS, code, seconds)

    def _context(self, call: Call, route: DeploymentRoute, target: RoutedPredictor) -> EventContext:
        # The route the call was served by (not whatever is routed by the time it is logged) says which life.
        return EventContext(
            source=self._source, puid=call.puid, namespace=call.namespace, deployment=call.name,
            predictor=target.plan.name, model=target.plan.model_name, protocol=call.protocol,
            deployment_uid=route.plan.uid, load_test=call.load_test,
        )  # fmt: skip

    async def _log(self, call: Call, route: DeploymentRoute, target: RoutedPredictor, reply: Any | None) -> None:
        if call.skip_logging:
            return
        ctx = self._context(call, route, target)
        events = [self._emit_guarded(lambda c: request_event(c, call.body), ctx)]
        if reply is not None:
            events.append(self._emit_guarded(lambda c: response_event(c, reply), ctx))
        await self._sink.emit([(e, call.puid) for e in events if e is not None])

    @staticmethod
    def _emit_guarded(build: Callable[[EventContext], CloudEvent], ctx: EventContext) -> CloudEvent | None:
        try:
            return build(ctx)
        except CodecError:
            # The payload was accepted by the model but does not fit the executor schema; say so loudly.
            logger.exception("could not build an inference event for %s/%s", ctx.namespace, ctx.deployment)
            return None

    def _remember(self, puid: str, predictor: str) -> None:
        self._served_by[puid] = predictor
        if len(self._served_by) > _SERVED_BY_MEMORY:
            self._served_by.popitem(last=False)
