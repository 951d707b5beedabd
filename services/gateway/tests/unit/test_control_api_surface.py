"""The control API's documented surface, and its answer when the gateway has no database configured."""

from __future__ import annotations

import httpx

from warden_common.platform import Platform
from warden_common.testing.auth import AUTH_OFF
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

API = "/seldon-deploy/api/v1alpha1"


class ReadyBus:
    async def ready(self) -> bool:
        return True


def test_every_route_the_sdk_and_the_ui_use_is_in_the_openapi_document() -> None:
    paths = create_app(GatewaySettings(auth=AUTH_OFF)).openapi()["paths"]
    expected = {
        f"{API}/namespaces": {"get", "post"},
        f"{API}/namespaces/{{namespace}}": {"get", "put", "delete"},
    }
    for plural in ("seldondeployments", "inferenceservices"):
        collection = f"{API}/namespaces/{{namespace}}/{plural}"
        base = f"{collection}/{{name}}"
        expected |= {
            collection: {"get", "post"},
            f"{collection}/validate": {"get", "post"},
            base: {"get", "put", "delete"},
            f"{base}/canary": {"post", "delete"},
            f"{base}/canary/promote": {"post"},
            f"{base}/shadow": {"post", "delete"},
            f"{base}/shadow/promote": {"post"},
            f"{base}/predict": {"post"},
            f"{base}/predictcurl": {"put"},
            f"{base}/resources": {"get"},
        }
    for path, methods in expected.items():
        assert set(paths.get(path, {})) == methods, path
    canary = paths[f"{API}/namespaces/{{namespace}}/seldondeployments/{{name}}/canary"]["post"]
    schema_ref = canary["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.endswith("/SeldonDeploymentCanaryRequest")


async def test_without_a_database_the_deployment_api_says_what_to_configure() -> None:
    app = create_app(GatewaySettings(auth=AUTH_OFF), Platform(mode="distributed", bus=ReadyBus()))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            answer = await client.get(f"{API}/namespaces/seldon/seldondeployments")
    assert answer.status_code == 503
    assert "WARDEN_GATEWAY_DATABASE__DSN" in answer.json()["message"]
