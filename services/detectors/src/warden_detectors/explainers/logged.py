"""The instance of a logged request, looked up through the log store port (what the request logger stored)."""

from __future__ import annotations

from typing import Any

from warden_common.errors import NotFound
from warden_common.logstore import LogQuery, LogStore
from warden_common.logstore.document import ITEM_INDEX
from warden_detectors.explainers.repository import DeploymentKey


class LoggedRequestNotFound(NotFound):
    code = "request_not_found"


async def logged_instance(store: LogStore, key: DeploymentKey, request_id: str, instance: int) -> Any:
    """The raw row `instance` of logged request `request_id` of this deployment."""
    page = await store.search(
        LogQuery(namespace=key.namespace, deployment=key.deployment, request_id=request_id, page_size=100)
    )
    for hit in page.hits:
        if hit.document.get(ITEM_INDEX) == instance:
            request = hit.document.get("request")
            stored = request.get("instance") if isinstance(request, dict) else None
            if isinstance(stored, dict) and "value" in stored:  # the logger keeps the raw row as {"value": row}
                return stored["value"]
            raise LoggedRequestNotFound(f"request {request_id} of {key.namespace}/{key.deployment} has no logged input")
    found = sorted(int(h.document[ITEM_INDEX]) for h in page.hits if isinstance(h.document.get(ITEM_INDEX), int))
    if not found:
        raise LoggedRequestNotFound(f"no logged request {request_id} for {key.namespace}/{key.deployment}")
    raise LoggedRequestNotFound(f"request {request_id} has instances {found}; there is no instance {instance}")
