"""Which life of a deployment name a search shows: by default the current deployment's, asked from the gateway.

The logger asks the gateway's API (`warden_common.upstreams`) at search time rather than keeping its own copy
of the deployment events on the bus: the gateway's table is the one place that says which deployment holds a
name now, so the answer is never stale (a search right after a recreate already sees the new life) and the
logger keeps no state of its own for it. A copy fed by the bus would have to be stored durably in both log
stores and could only be rebuilt by replaying the deployments topic from its start, which retention deletes.
Searches are interactive and rare next to writes: one in-process call (standalone) or one HTTP hop each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from warden_common.errors import ServiceUnavailable
from warden_common.logstore import DeploymentLife
from warden_common.upstreams import PUBLIC_API_PREFIX, Upstreams

GATEWAY = "gateway"
_KINDS = ("seldondeployments", "inferenceservices")
"""A name is unique within a namespace across both kinds (and the log is kept by name), so either may hold it."""

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
        try:
            client = self._upstreams.client(GATEWAY)
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(f"cannot tell which deployment holds {namespace}/{name} now: {exc.message}; "
                                     f"or {ALL_LIVES_HINT}") from exc  # fmt: skip
        headers = {"authorization": authorization} if authorization else {}
        for kind in _KINDS:
            # Path segments are percent-encoded: a name is never pasted into the URL as is.
            path = f"{PUBLIC_API_PREFIX}/namespaces/{quote(namespace, safe='')}/{kind}/{quote(name, safe='')}"
            try:
                answer = await client.get(path, headers=headers)
            except httpx.TransportError as exc:
                raise ServiceUnavailable(f"the gateway cannot be reached to tell which deployment holds "
                                         f"{namespace}/{name} now ({exc!r}); {ALL_LIVES_HINT}") from exc  # fmt: skip
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
