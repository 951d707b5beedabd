"""Authorization decisions in both modes, on the seed's own examples (docs 7.6, demo 5.1.13)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from warden_common.auth.policy import PolicyDocument, PolicyIndex, label_access, label_allows
from warden_common.auth.principal import Principal
from warden_common.testing.auth import DEMO_5_1_13_POLICY

ALICE = Principal("alice")
BOB = Principal("bob", frozenset({"data-scientist"}))
CAROL = Principal("carol", frozenset({"ops"}))

SEED_POLICY = PolicyDocument.model_validate(DEMO_5_1_13_POLICY)


@pytest.mark.parametrize(
    ("who", "action", "resource", "allowed"),
    [
        (ALICE, "write", "project/income", True),
        (ALICE, "write", "project/iris", True),
        (ALICE, "write", "project/default", True),
        (BOB, "read", "project/iris", True),
        (BOB, "write", "project/iris", False),
        (BOB, "read", "project/income", False),
        (BOB, "write", "project/default", True),
        (BOB, "write", "namespace/seldon", True),
        (CAROL, "read", "project/iris", False),
        (CAROL, "read", "namespace/staging", False),
    ],
)
def test_the_seed_policy(who: Principal, action: str, resource: str, allowed: bool) -> None:
    assert PolicyIndex.build(SEED_POLICY).allows(who, action, resource) is allowed  # type: ignore[arg-type]


def test_write_implies_read_and_star_resource_covers_everything() -> None:
    index = PolicyIndex.build(
        PolicyDocument.model_validate(
            {
                "role_grants": {"admins": [{"resource": "*", "action": "write"}]},
                "user_grants": {"dave": [{"resource": "namespace/a", "action": "write"}]},
            }
        )
    )
    assert index.allows(Principal("dave"), "read", "namespace/a")
    assert not index.allows(Principal("dave"), "read", "namespace/b")
    assert index.allows(Principal("x", frozenset({"admins"})), "write", "project/anything")


@pytest.mark.parametrize(
    "bad",
    [
        {"user_grants": {"a": [{"resource": "bucket/x", "action": "read"}]}},
        {"user_grants": {"a": [{"resource": "namespace/x", "action": "delete"}]}},
        {"user_grants": {"a": [{"resource": "namespace/", "action": "read"}]}},
        {"deny": {}},
    ],
)
def test_malformed_policies_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PolicyDocument.model_validate(bad)


@pytest.mark.parametrize(
    ("labels", "who", "expected"),
    [
        ({"seldon.restricted": "false"}, CAROL, "write"),
        ({}, CAROL, None),
        ({"seldon.restricted": "true"}, CAROL, None),
        ({"seldon.restricted": "true", "seldon.group.data-scientist": "read"}, BOB, "read"),
        (
            {"seldon.restricted": "true", "seldon.group.data-scientist": "read", "seldon.user.bob": "write"},
            BOB,
            "write",
        ),
        ({"seldon.restricted": "true", "seldon.user.alice": "read"}, BOB, None),
        ({"seldon.restricted": "true", "seldon.user.alice": "bogus"}, ALICE, None),
    ],
)
def test_namespace_labels(labels: dict[str, str], who: Principal, expected: str | None) -> None:
    assert label_access(labels, who) == expected
    assert label_allows(labels, who, "read") is (expected is not None)
    assert label_allows(labels, who, "write") is (expected == "write")
