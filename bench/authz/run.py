"""What authentication and authorization add per request, with a 10,000-grant policy, against the same request
with auth off, in the same run.

    uv run python bench/authz/run.py [--postgres DSN] [--requests 2000] [--grants 10000]

Two gateways in-process on one fresh PostgreSQL database (default: a new database on the test server), one with
auth off, one with auth on in policy mode, holding `--grants` grants spread over users and roles (the caller is in
20 groups, so a decision looks at 22 subjects). Requests go over ASGI (no sockets), at concurrency 1, alternating
in rounds so drifting machine load hits both alike:
- `GET .../namespaces/seldon`: token validation (RS256) + namespace decision;
- `GET .../seldondeployments/iris`: the same + the deployment's projects (one indexed PostgreSQL read per policy
  refresh, remembered in between) + project decisions.
Then the auth middleware alone around an app that answers at once, vs that app alone (raw ASGI calls): what
auth adds without the route's own work and noise. Also times the pure decision (`requirement` +
`Authorizer.decide` + `projects_allow`) alone. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warden_common.auth.principal import Principal
from warden_common.auth.settings import AuthSettings
from warden_common.bus.factory import create_bus
from warden_common.platform import Platform
from warden_common.settings import BusSettings
from warden_gateway.authz.middleware import AuthMiddleware
from warden_gateway.authz.rules import requirement
from warden_gateway.authz.runtime import AuthRuntime
from warden_gateway.main import create_app
from warden_gateway.settings import GatewaySettings

API = "/seldon-deploy/api/v1alpha1"
ISSUER = "http://bench.test"
ROUNDS = 10
GROUPS = [f"team-{i}" for i in range(20)]
IRIS = Path(__file__).parents[2] / "services/gateway/tests/data/iris-sklearn.yaml"


def default_dsn() -> str:
    from warden_common.testing.servers import get_server
    from warden_common.testing.servers.databases import create_database, with_database
    from warden_common.testing.servers.tools import run_sync

    server = get_server("postgres")
    server.start()
    name = f"bench_authz_{uuid.uuid4().hex[:8]}"
    run_sync(lambda: create_database(server.endpoint, name))
    return with_database(server.endpoint, name)


def big_policy(grants: int) -> dict[str, Any]:
    """`grants` grants: half over 1,000 users, half over 500 roles (the caller's groups among them)."""
    user_grants: dict[str, list[dict[str, str]]] = {}
    role_grants: dict[str, list[dict[str, str]]] = {}
    for i in range(grants // 2):
        user_grants.setdefault(f"user-{i % 1000}", []).append({"resource": f"namespace/ns-{i}", "action": "read"})
        role = GROUPS[i % 20] if i % 25 == 0 else f"role-{i % 500}"
        role_grants.setdefault(role, []).append({"resource": f"project/p-{i}", "action": "write"})
    user_grants["bencher"] = [{"resource": "namespace/seldon", "action": "write"}]
    role_grants[GROUPS[-1]] = [*role_grants.get(GROUPS[-1], []), {"resource": "project/iris", "action": "read"}]
    return {"user_grants": user_grants, "role_grants": role_grants}


@asynccontextmanager
async def gateway(dsn: str, auth: AuthSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(dsn), partitions=1))
    await bus.start()
    try:
        app = create_app(GatewaySettings(auth=auth), Platform(mode="standalone", bus=bus, database_dsn=dsn))
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
            yield app, client
    finally:
        await bus.close()


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], count: int) -> list[float]:
    out = []
    for _ in range(count):
        start = time.perf_counter()
        answer = await client.get(url, headers=headers)
        out.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {url}: {answer.status_code} {answer.text}")
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    dsn = args.postgres or default_dsn()
    os.environ["WARDEN_ADMIN_USER"], os.environ["WARDEN_ADMIN_PASSWORD"] = "bench-admin", "bench-admin-password"
    auth = AuthSettings(
        enabled=True, mode="policies", issuer=ISSUER, signing_key_passphrase=SecretStr("bench"), policy_refresh_s=60
    )
    async with AsyncExitStack() as stack:
        secured_app, secured = await stack.enter_async_context(gateway(dsn, auth))
        _, open_ = await stack.enter_async_context(gateway(dsn, AuthSettings(enabled=False)))
        admin = await token(secured, "bench-admin", "bench-admin-password")
        policy = big_policy(args.grants)
        granted = sum(len(g) for part in policy.values() for g in part.values())
        (await secured.put(f"{API}/authorization/policies", json=policy, headers=admin)).raise_for_status()
        user = {"name": "bencher", "password": "bencher-password", "groups": GROUPS}
        (await secured.post(f"{API}/users", json=user, headers=admin)).raise_for_status()
        iris = yaml.safe_load(IRIS.read_text())
        iris["metadata"]["annotations"] = {"project.seldon.io/iris-default": "iris"}
        (await secured.post(f"{API}/namespaces/seldon/seldondeployments", json=iris, headers=admin)).raise_for_status()
        bencher = await token(secured, "bencher", "bencher-password")

        urls = {
            "namespace": f"{API}/namespaces/seldon",
            "deployment": f"{API}/namespaces/seldon/seldondeployments/iris",
        }
        samples: dict[str, dict[str, list[float]]] = {name: {"off": [], "on": []} for name in urls}
        per_round = args.requests // ROUNDS
        for url in urls.values():  # warm-up: connections, caches, first-call imports
            await timed(open_, url, {}, 50)
            await timed(secured, url, bencher, 50)
        for _ in range(ROUNDS):
            for name, url in urls.items():
                samples[name]["off"] += await timed(open_, url, {}, per_round)
                samples[name]["on"] += await timed(secured, url, bencher, per_round)
        middleware = await middleware_only(secured_app.state.auth, urls, bencher, args.requests)

    results: dict[str, Any] = {}
    for name, both in samples.items():
        off, on = percentiles(both["off"]), percentiles(both["on"])
        results[name] = {
            "auth_off": off,
            "auth_on": on,
            "added_p50_ms": round(on["p50_ms"] - off["p50_ms"], 3),
            "added_p99_ms": round(on["p99_ms"] - off["p99_ms"], 3),
        }
    return {
        "grants": granted,
        "requests_per_case": per_round * ROUNDS,
        "requests": results,
        "middleware_only": middleware,
        "pure_decision_us": decision_only(policy),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "load_average": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


async def token(client: httpx.AsyncClient, user: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "client_id": "warden", "username": user, "password": password}
    answer = (await client.post("/oauth2/token", data=form)).raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def middleware_only(
    runtime: AuthRuntime, urls: dict[str, str], headers: dict[str, str], count: int
) -> dict[str, Any]:
    """The auth middleware around an app that answers at once, vs that app alone: what auth adds to a request,
    without the route's own work and its noise (raw ASGI calls, no HTTP client)."""

    async def instant(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guarded = AuthMiddleware(instant, runtime)
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def call(app: ASGIApp, path: str, with_token: bool) -> float:
        scope = {"type": "http", "method": "GET", "path": path, "headers": raw_headers if with_token else [],
                 "query_string": b"", "root_path": ""}  # fmt: skip
        status: list[int] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        start = time.perf_counter()
        await app(scope, receive, send)
        elapsed = (time.perf_counter() - start) * 1000
        if status != [200]:
            raise RuntimeError(f"GET {path}: {status}")
        return elapsed

    out: dict[str, Any] = {}
    for name, path in urls.items():
        off: list[float] = []
        on: list[float] = []
        for _ in range(ROUNDS):
            off += [await call(instant, path, False) for _ in range(count // ROUNDS)]
            on += [await call(guarded, path, True) for _ in range(count // ROUNDS)]
        p_off, p_on = percentiles(off), percentiles(on)
        out[name] = {"added_p50_ms": round(p_on["p50_ms"] - p_off["p50_ms"], 3),
                     "added_p99_ms": round(p_on["p99_ms"] - p_off["p99_ms"], 3)}  # fmt: skip
    return out


def decision_only(policy: dict[str, Any]) -> dict[str, float]:
    """The in-memory part alone: classify the path, decide the namespace, decide the projects (p50/p99, µs)."""
    from warden_common.auth.policy import PolicyDocument, PolicyIndex
    from warden_gateway.authz.decisions import Authorizer, Snapshot

    authorizer = Authorizer(AuthSettings(enabled=True, mode="policies"), None)
    authorizer.snapshot = Snapshot(policy=PolicyIndex.build(PolicyDocument.model_validate(policy)), policy_version=1)
    principal = Principal("bencher", frozenset(GROUPS))
    path = f"{API}/namespaces/seldon/seldondeployments/iris"
    samples = []
    for _ in range(20_000):
        start = time.perf_counter_ns()
        need = requirement("GET", path)
        ok = authorizer.decide(principal, need) and authorizer.projects_allow(principal, ("iris",), "read")
        samples.append((time.perf_counter_ns() - start) / 1000)
        assert ok
    samples.sort()
    return {"p50_us": round(samples[len(samples) // 2], 2), "p99_us": round(samples[int(len(samples) * 0.99)], 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="DSN of an empty database (default: a new one on the test server)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per case and mode")
    parser.add_argument("--grants", type=int, default=10_000)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
