"""Standalone composition details that are easy to get wrong."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from warden_gateway.composition import _keep_full_path


async def test_data_plane_mount_keeps_the_public_path() -> None:
    serving = FastAPI()

    @serving.post("/seldon/{namespace}/{name}/api/v1.0/predictions")
    async def predict(namespace: str, name: str) -> dict[str, str]:
        return {"namespace": namespace, "name": name}

    root = FastAPI()
    root.mount("/seldon", _keep_full_path(serving, "/seldon"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=root), base_url="http://w") as client:
        answer = await client.post("/seldon/ns1/iris/api/v1.0/predictions", json={})
    assert answer.status_code == 200
    assert answer.json() == {"namespace": "ns1", "name": "iris"}
