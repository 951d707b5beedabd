"""Shared test data for authorization: the seed's own policy example, used by unit and integration tests alike."""

from __future__ import annotations

from typing import Any

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
