"""Shared test data for authorization: auth switched off, and the seed's own policy example."""

from __future__ import annotations

from typing import Any

from warden_common.auth.settings import AuthSettings

AUTH_OFF = AuthSettings(enabled=False)
"""For a test that is not about auth and builds a gateway or the standalone app in-process: auth is on by default,
so such a test says it runs without (`GatewaySettings(auth=AUTH_OFF, ...)`). Tests of auth use the `auth_gateway`
fixture of `services/gateway/tests/integration/conftest.py`; end-to-end tests send `api_headers`."""

DEMO_5_1_13_POLICY: dict[str, Any] = {
    "role_grants": {"data-scientist": [{"resource": "project/iris", "action": "read"}]},
    "user_grants": {
        "*": [
            {"resource": "namespace/seldon", "action": "read"},
            {"resource": "namespace/seldon", "action": "write"},
            {"resource": "project/default", "action": "read"},
            {"resource": "project/default", "action": "write"},
        ],
        "alice": [
            {"resource": "project/income", "action": "write"},
            {"resource": "project/income", "action": "read"},
            {"resource": "project/iris", "action": "read"},
            {"resource": "project/iris", "action": "write"},
        ],
    },
}
"""Demo 5.1.13's `seldon-deploy-policies` as JSON: alice writes default, iris and income; bob (data-scientist) writes
default and reads iris."""
