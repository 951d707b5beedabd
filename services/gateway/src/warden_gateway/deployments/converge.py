"""Set a deployment to a given object (or to not existing), through the deployment service's ordinary changes:
what restoring a commit and applying a change made in git both need."""

from __future__ import annotations

from typing import Any

from warden_common.errors import Unprocessable
from warden_gateway.deployments.audit import as_committed
from warden_gateway.deployments.kinds import BY_KIND
from warden_gateway.deployments.service import Change, DeploymentService


def same(a: dict[str, Any] | None, b: dict[str, Any] | None, namespace: str) -> bool:
    """Equal as the repository holds them (status and server-managed metadata aside)."""
    if a is None or b is None:
        return a is b
    left, right = as_committed(a), as_committed(b)
    for obj in (left, right):
        obj["metadata"] = {**obj.get("metadata", {}), "namespace": namespace}
    return left == right


async def converge(
    service: DeploymentService, namespace: str, name: str, target: dict[str, Any] | None, change: Change
) -> str:
    """Make `namespace/name` equal `target` (None: deleted); what was done: created, updated, deleted, unchanged.
    Atomic against other changes: a deployment changed (or created) after it was read here is a 409
    (`stale_resource_version`, or `conflict` for a create), and nothing is done."""
    current = await service.current(namespace, name)
    return await converge_from(service, namespace, name, current, target, change)


async def converge_from(
    service: DeploymentService,
    namespace: str,
    name: str,
    current: dict[str, Any] | None,
    target: dict[str, Any] | None,
    change: Change,
) -> str:
    """`converge`, from `current` as the caller read it (only applied while the deployment is still that)."""
    if same(current, target, namespace):
        return "unchanged"
    version = str(current["metadata"]["resourceVersion"]) if current is not None else None
    if target is None:
        assert current is not None
        await service.delete(BY_KIND[current["kind"]], namespace, name, change, expected_version=version)
        return "deleted"
    kind = BY_KIND.get(str(target.get("kind")))
    if kind is None:
        raise Unprocessable(f"the version of {namespace}/{name} in git is not a SeldonDeployment or InferenceService")
    body = {**target, "metadata": {**(target.get("metadata") or {}), "name": name}}
    if current is None:
        body["metadata"].pop("resourceVersion", None)
        await service.create(kind, namespace, body, change)
        return "created"
    if current["kind"] != kind.kind:  # the other kind under the same name: replace the deployment
        await service.delete(BY_KIND[current["kind"]], namespace, name, change, expected_version=version)
        body["metadata"].pop("resourceVersion", None)
        await service.create(kind, namespace, body, change)
        return "updated"
    body["metadata"]["resourceVersion"] = version  # replace checks it under the row lock
    await service.replace(kind, namespace, name, body, change)
    return "updated"
