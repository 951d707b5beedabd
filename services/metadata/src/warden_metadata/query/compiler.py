"""Compile a parsed query to a SQL boolean expression over the `models` table (alias `m`).

Only fixed SQL text comes from this module: field names map through a whitelist, and every value and map key
travels as a bind parameter, so no query text can change the statement's structure.
"""

from __future__ import annotations

from typing import Any

from warden_metadata.query.ast import BoolOp, Comparison, QueryNode

COLUMNS = {
    "uri": "m.uri",
    "name": "m.name",
    "version": "m.version",
    "project": "m.project",
    "artifact_type": "m.artifact_type",
    "task_type": "m.task_type",
}
"""Query field -> column. These columns are declared `COLLATE "C"`, so `<`/`>` compare bytes, not locale rules."""


class SqlParams:
    """Collects bind values; `add` returns the `$n` placeholder for a value."""

    def __init__(self, start: int = 0) -> None:
        self.values: list[Any] = []
        self._start = start

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${self._start + len(self.values)}"


def _string_comparison(column: str, op: str, placeholder: str) -> str:
    # `!=` is the exact complement of `=`: a model without the field (NULL) is "not equal" to any value.
    if op == "!=":
        return f"{column} IS DISTINCT FROM {placeholder}"
    return f"{column} {op} {placeholder}"


def _comparison(node: Comparison, params: SqlParams) -> str:
    if node.field == "tags":
        assert node.key is not None
        if node.op in ("=", "!="):
            # Containment can use the GIN index on tags; `!=` stays the complement of `=`.
            contains = f"m.tags @> {params.add({node.key: node.value})}::jsonb"
            return contains if node.op == "=" else f"NOT ({contains})"
        return f'(m.tags ->> {params.add(node.key)}::text) COLLATE "C" {node.op} {params.add(node.value)}::text'
    if node.field == "metrics":
        assert node.key is not None
        metric = f"(m.metrics ->> {params.add(node.key)}::text)::float8"
        return _string_comparison(metric, node.op, f"{params.add(node.value)}::float8")
    return _string_comparison(COLUMNS[node.field], node.op, f"{params.add(node.value)}::text")


def compile_filter(node: QueryNode, params: SqlParams) -> str:
    """A parenthesised SQL condition equivalent to `node`; its values are appended to `params`."""
    if isinstance(node, Comparison):
        return f"({_comparison(node, params)})"
    joiner = f" {node.op} "
    return "(" + joiner.join(compile_filter(child, params) for child in node.operands) + ")"


def describe(node: QueryNode) -> str:
    """A canonical text form (used to tie a page token to the query it came from)."""
    if isinstance(node, Comparison):
        field = f"{node.field}[{node.key}]" if node.key is not None else node.field
        return f"{field}{node.op}{node.value!r}"
    return "(" + f" {node.op} ".join(describe(child) for child in node.operands) + ")"


__all__ = ["COLUMNS", "BoolOp", "SqlParams", "compile_filter", "describe"]
