"""`/seldon/{namespace}/{name}/...`: the public data plane, relayed to the serving service (see `dataplane.py`).

A plain Starlette route, not a FastAPI one: nothing to validate or document per call, and every microsecond of
CPU here is added to each prediction. The public OpenAPI document describes the data plane's protocols elsewhere.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from warden_gateway.dataplane import DataPlaneForwarder

DATA_PLANE_ROUTE = "/seldon/{namespace}/{name}/{rest:path}"
DATA_PLANE_METHODS = ["GET", "POST"]
"""Every route of the serving data plane is one of these (predictions/feedback/infer: POST; ready/metadata: GET)."""


async def relay_data_plane(request: Request) -> Response:
    forwarder: DataPlaneForwarder = request.app.state.data_plane
    return await forwarder.relay(request)


def data_plane_router() -> APIRouter:
    router = APIRouter()
    router.add_route(DATA_PLANE_ROUTE, relay_data_plane, methods=DATA_PLANE_METHODS, include_in_schema=False)
    return router
