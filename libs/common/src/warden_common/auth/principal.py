"""Who a validated token says is calling."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    user: str
    groups: frozenset[str] = field(default_factory=frozenset)
    client: bool = False
    """True for a service client (client-credentials grant) rather than a person."""
