"""Create, read and delete detector configs; every change is applied to this process's runtime at once."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from warden_common.errors import Conflict, NotFound, Unprocessable
from warden_common.events import registry as event_registry
from warden_detectors.configs.model import DeploymentRef, DetectorKey, KindName, StoredDetector
from warden_detectors.configs.repository import DetectorConfigRepository
from warden_detectors.configs.wire import DetectorData, DetectorPublic
from warden_detectors.runtime.kinds import KindRegistry
from warden_detectors.runtime.registry import LiveRegistry


class DetectorConfigService:
    def __init__(self, repository: DetectorConfigRepository, kinds: KindRegistry, live: LiveRegistry) -> None:
        self._repository = repository
        self._kinds = kinds
        self._live = live

    async def create(self, deployment: DeploymentRef, kind: KindName, body: DetectorData) -> DetectorPublic:
        self._check_deployment_fields(deployment, body)
        detector_type = body.detector_type or kind
        if detector_type != kind:
            raise _invalid("detector_type", f"must be {kind!r} on this path, not {detector_type!r}")
        kind_impl = self._kinds.get(kind)
        if kind_impl is None:
            raise Unprocessable(f"{kind} detectors are not available in this service (it runs {self._kinds.names()})")
        config = body.config.model_dump(mode="json", exclude_none=True)
        if _has_nul(config):  # PostgreSQL's jsonb cannot hold NUL: refuse it, not fail in the driver
            raise _invalid("config", "must not contain NUL characters")
        try:
            kind_impl.validate(config.get("basic", {}))
        except ValidationError as exc:
            raise _from_validation(exc) from None
        except ValueError as exc:
            raise _invalid("config.basic", str(exc)) from None
        event_type = body.config.deployment.event_type
        if event_type is not None and (event_type not in kind_impl.reply_types or event_type not in event_registry):
            raise _invalid("config.deployment.event_type", f"must be one of {list(kind_impl.reply_types)}")
        stored = await self._repository.insert(DetectorKey(deployment, kind, body.name), detector_type, config)
        if stored is None:
            raise Conflict(f"{kind} detector {body.name!r} of {deployment.kind} {deployment.namespace}/"
                           f"{deployment.name} already exists; delete it first to change it")  # fmt: skip
        self._live.put(stored)
        return self._public(stored)

    async def list(self, deployment: DeploymentRef, kind: KindName) -> list[DetectorPublic]:
        return [self._public(s) for s in await self._repository.of_deployment(deployment, kind)]

    async def get(self, key: DetectorKey) -> DetectorPublic:
        stored = await self._repository.get(key)
        if stored is None:
            raise NotFound(f"no {key}")
        return self._public(stored)

    async def delete(self, key: DetectorKey) -> None:
        if not await self._repository.delete(key):
            raise NotFound(f"no {key}")
        self._live.remove(key)
        kind = self._kinds.get(key.kind)
        if kind is not None:  # a kind this service no longer runs left nothing here to forget
            await kind.forget(key)

    def _public(self, stored: StoredDetector) -> DetectorPublic:
        d = stored.key.deployment
        return DetectorPublic.model_validate({
            "name": stored.key.name, "namespace": d.namespace, "deployment_name": d.name, "deployment_kind": d.kind,
            "detector_type": stored.detector_type, "config": stored.config,
            "status": self._live.status(stored.key),
        })  # fmt: skip

    @staticmethod
    def _check_deployment_fields(deployment: DeploymentRef, body: DetectorData) -> None:
        for field, expected in (("namespace", deployment.namespace), ("deployment_name", deployment.name),
                                ("deployment_kind", deployment.kind)):  # fmt: skip
            given = getattr(body, field)
            if given not in (None, "", expected):
                raise _invalid(field, f"is {given!r} but the path names {expected!r}")


def _invalid(field: str, problem: str) -> Unprocessable:
    return Unprocessable(f"invalid detector: {field}: {problem}", details=[{"loc": f"body.{field}", "msg": problem}])


def _from_validation(exc: ValidationError) -> Unprocessable:
    details: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in ("body", "config", "basic", *error.get("loc", ())))
        details.append({"loc": loc, "msg": error.get("msg", ""), "type": error.get("type")})
    where = "; ".join(f"{d['loc'].removeprefix('body.')}: {d['msg']}" for d in details)
    return Unprocessable(f"invalid detector: {where}", details=details)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
