"""The parsed form of a catalog query: comparisons joined by AND / OR."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Operator = Literal["=", "!=", ">=", "<=", "<", ">"]

STRING_FIELDS = ("uri", "name", "version", "project", "artifact_type", "task_type")
"""Plain fields; compared lexically (byte order), like the seed product's version strings."""

MAP_FIELDS = ("tags", "metrics")
"""Fields addressed by key: `tags[author]` (strings), `metrics[accuracy]` (numbers)."""


@dataclass(frozen=True)
class Comparison:
    field: str
    """Canonical lower-case field name: one of STRING_FIELDS or MAP_FIELDS."""
    key: str | None
    """The key of `tags[key]` / `metrics[key]`; None for plain fields."""
    op: Operator
    value: str | float
    """A float for metrics, a str otherwise."""


@dataclass(frozen=True)
class BoolOp:
    op: Literal["AND", "OR"]
    operands: tuple[QueryNode, ...]


QueryNode = Comparison | BoolOp
