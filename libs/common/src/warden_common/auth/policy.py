"""Authorization decisions: pure functions over a principal, an action and a resource. No I/O, no denials.

Two modes, as Seldon Deploy 1.3 has them (docs 7.6-7.9):
- namespace labels: `seldon.restricted: "false"` opens a namespace to everyone (read and write); `"true"` opens
  it only to `seldon.group.<g>` / `seldon.user.<u>` = `read`|`write`; a namespace without the label is invisible.
- policies: `{"role_grants": {group: [grant]}, "user_grants": {user or "*": [grant]}}`, a grant being
  `{"resource": "namespace/<ns>"|"project/<p>"|"*", "action": "read"|"write"}`; a principal holds the union of
  its user's, `*`'s and its groups' grants.
In both modes `write` includes `read` (who may change a thing may see it), and members of the admin group may do
everything. The policy is indexed once per change, so a decision is a few dictionary look-ups whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from warden_common.auth.principal import Principal

Action = Literal["read", "write"]
READ: Action = "read"
WRITE: Action = "write"
EVERY_USER = "*"
ANY_RESOURCE = "*"

RESTRICTED = "seldon.restricted"
GROUP_LABEL = "seldon.group."
USER_LABEL = "seldon.user."

_RANK: dict[str, int] = {READ: 1, WRITE: 2}


class Grant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    resource: str = Field(description='"namespace/<ns>", "project/<p>", or "*" for every resource.')
    action: Action

    @field_validator("resource")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        kind, _, name = value.partition("/")
        if value != ANY_RESOURCE and (kind not in ("namespace", "project") or not name):
            raise ValueError('must be "namespace/<name>", "project/<name>" or "*"')
        return value


class PolicyDocument(BaseModel):
    """The stored policy: the shape of Seldon Deploy's `seldon-deploy-policies` config map data."""

    model_config = ConfigDict(extra="forbid")

    role_grants: dict[str, list[Grant]] = Field(default_factory=dict)
    user_grants: dict[str, list[Grant]] = Field(default_factory=dict)


def _index(grants: Iterable[Grant]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for grant in grants:
        ranks[grant.resource] = max(ranks.get(grant.resource, 0), _RANK[grant.action])
    return ranks


@dataclass(frozen=True)
class PolicyIndex:
    """A `PolicyDocument` as `subject -> resource -> highest action rank`, for constant-time decisions."""

    by_role: Mapping[str, Mapping[str, int]]
    by_user: Mapping[str, Mapping[str, int]]

    @classmethod
    def build(cls, document: PolicyDocument) -> PolicyIndex:
        return cls(
            by_role={role: _index(grants) for role, grants in document.role_grants.items()},
            by_user={user: _index(grants) for user, grants in document.user_grants.items()},
        )

    def allows(self, principal: Principal, action: Action, resource: str) -> bool:
        needed = _RANK[action]
        for ranks in self._subjects(principal):
            if ranks.get(resource, 0) >= needed or ranks.get(ANY_RESOURCE, 0) >= needed:
                return True
        return False

    def _subjects(self, principal: Principal) -> Iterable[Mapping[str, int]]:
        if (own := self.by_user.get(principal.user)) is not None:
            yield own
        if (everyone := self.by_user.get(EVERY_USER)) is not None:
            yield everyone
        for group in principal.groups:
            if (ranks := self.by_role.get(group)) is not None:
                yield ranks


EMPTY_POLICY = PolicyIndex(by_role={}, by_user={})


def label_access(labels: Mapping[str, str], principal: Principal) -> Action | None:
    """The most a principal may do in a namespace with these labels; None: the namespace is invisible to it."""
    restricted = labels.get(RESTRICTED)
    if restricted == "false":
        return WRITE
    if restricted != "true":
        return None
    best = 0
    for value in (labels.get(USER_LABEL + principal.user), *(labels.get(GROUP_LABEL + g) for g in principal.groups)):
        best = max(best, _RANK.get(value or "", 0))
    return WRITE if best == 2 else READ if best == 1 else None


def label_allows(labels: Mapping[str, str], principal: Principal, action: Action) -> bool:
    granted = label_access(labels, principal)
    return granted is not None and _RANK[granted] >= _RANK[action]
