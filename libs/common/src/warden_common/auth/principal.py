"""Who a validated token says is calling."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote

ACTOR_HEADER = "x-warden-user"
"""The acting user, as the gateway passes it on to the service behind it (the metadata service records it on the
catalog's events). With auth on, the gateway's middleware drops any copy a client sent and sets the token's user, so
what a service reads came from the gateway; with auth off, it is whatever the client claims (as for deployments).
The value is percent-encoded UTF-8, so any user name fits an HTTP header."""


@dataclass(frozen=True, slots=True)
class Principal:
    user: str
    groups: frozenset[str] = field(default_factory=frozenset)
    client: bool = False
    """True for a service client (client-credentials grant) rather than a person."""


def encode_actor(user: str) -> bytes:
    return quote(user, safe="").encode("ascii")


def decode_actor(value: str | None) -> str | None:
    """The user an `ACTOR_HEADER` value names; None for a missing or blank one."""
    user = unquote(value).strip() if value else ""
    return user or None
