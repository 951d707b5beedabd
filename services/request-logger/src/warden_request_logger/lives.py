"""Which life of a deployment name a search shows: by default the current deployment's, asked from the gateway.

The logger asks the gateway's API (`warden_common.upstreams`) at search time rather than keeping its own copy
of the deployment events on the bus: the gateway's table is the one place that says which deployment holds a
name now, so the answer is never stale (a search right after a recreate already sees the new life) and the
logger keeps no state of its own for it. A copy fed by the bus would have to be stored durably in both log
stores and could only be rebuilt by replaying the deployments topic from its start, which retention deletes.
Searches are interactive and rare next to writes: one in-process call (standalone) or one HTTP hop each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from warden_common.errors import ServiceUnavailable, WardenError
from warden_common.logstore import DeploymentLife
from warden_common.names import dns1035_label_problem, dns1123_label_problem
from warden_common.upstreams import PUBLIC_API_PREFIX, Upstreams
from warden_common.urls import build_path

GATEWAY = "gateway"
_KINDS: dict[str, Callable[[object], str | None]] = {
    "seldondeployments": dns1123_label_problem,
    "inferenceservices": dns1035_label_problem,
}
"""A name is unique within a namespace across both kinds (and the log is kept by name), so either may hold it;
each with its name rule: a name the kind's rule refuses (`0` for an InferenceService) cannot be one of its kind."""

ALL_LIVES_HINT = "add allLives=true to search the traffic of every deployment that had this name"


class CurrentLives:
    """Looks up the deployment that holds a name now, through the gateway's public API."""

    def __init__(self, upstreams: Upstreams) -> None:
        self._upstreams = upstreams

    async def current(self, namespace: str, name: str, *, authorization: str | None = None) -> DeploymentLife | None:
        """The life of the deployment holding `namespace/name` now; None when none does (deleted, never created).

        `authorization` (the caller's header) is passed on, so the gateway answers with the caller's rights.
        `ServiceUnavailable` when the gateway cannot be asked or gives no usable answer.
        """
        headers = {"authorization": authorization} if authorization else {}
        for kind, name_problem in _KINDS.items():
            if dns1123_label_problem(namespace) or name_problem(name):
                continue
            path = build_path(PUBLIC_API_PREFIX + "/namespaces/{namespace}/" + kind + "/{name}", namespace=namespace,
                              name=name)  # fmt: skip
            try:
                answer = await self._upstreams.send(GATEWAY, "GET", path, headers=headers)
            except WardenError as exc:  # not configured, or not reachable
                raise ServiceUnavailable(f"cannot tell which deployment holds {namespace}/{name} now: "
                                         f"{exc.message}; {ALL_LIVES_HINT}") from exc  # fmt: skip
            if answer.status_code == 404:
                continue
            if answer.status_code != 200:
                raise ServiceUnavailable(f"the gateway answered {answer.status_code} when asked for {kind} "
                                         f"{namespace}/{name}; {ALL_LIVES_HINT}")  # fmt: skip
            return life_of(answer.json(), where=f"{kind} {namespace}/{name}")
        return None


def life_of(obj: Any, *, where: str) -> DeploymentLife:
    """The life a deployment object stands for: its `metadata.uid` and `metadata.creationTimestamp`."""
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    uid = metadata.get("uid") if isinstance(metadata, dict) else None
    created = metadata.get("creationTimestamp") if isinstance(metadata, dict) else None
    if not isinstance(uid, str) or not uid or not isinstance(created, str):
        raise ServiceUnavailable(f"the gateway's {where} has no metadata.uid / creationTimestamp; {ALL_LIVES_HINT}")
    try:
        when = datetime.fromisoformat(created)
    except ValueError as exc:
        raise ServiceUnavailable(f"the gateway's {where} has an unreadable creationTimestamp {created!r}") from exc
    if when.tzinfo is None:
        raise ServiceUnavailable(f"the gateway's {where} has a creationTimestamp without a time zone: {created!r}")
    return DeploymentLife(uid=uid, created=when)
