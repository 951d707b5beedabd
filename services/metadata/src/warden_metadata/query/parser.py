"""Parse catalog queries with lark (LALR, contextual lexer) into `QueryNode`s; every failure is a `QuerySyntaxError`
that says where (0-based `position`, 1-based `column`) and what was expected there."""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from warden_metadata.query.ast import MAP_FIELDS, STRING_FIELDS, BoolOp, Comparison, Operator, QueryNode

MAX_QUERY_LENGTH = 4096
MAX_COMPARISONS = 100
MAX_DEPTH = 32
"""Bounds that keep one query's cost (parse, SQL size, planning) small whatever a client sends."""

ARTIFACT_TYPES = (
    "UNKNOWN",
    "CUSTOM",
    "TENSORFLOW",
    "SKLEARN",
    "XGBOOST",
    "MLFLOW",
    "PYTORCH",
    "ONNX",
    "TENSORRT",
    "ALIBI_EXPLAIN",
)
"""What the SDK's V1ArtifactType allows (the seed lists CUSTOM..TENSORRT; UNKNOWN and ALIBI_EXPLAIN are the SDK's)."""

_EXPECTED_NAMES = {
    "FIELD": "a field name",
    "LPAR": "'('",
    "RPAR": "')'",
    "OP": "an operator (=, !=, >=, <=, <, >)",
    "QUOTED": "a value",
    "BARE": "a value",
    "_AND": "AND",
    "_OR": "OR",
    "$END": "the end of the query",
}
_MAP_FIELD = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\[(?P<key>[^\]]*)\]$")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class QuerySyntaxError(ValueError):
    """A query that cannot be run; `position` is the 0-based offset of the problem in the query."""

    def __init__(self, reason: str, *, position: int, expected: list[str] | None = None, found: str | None = None):
        self.reason = reason
        self.position = position
        self.expected = expected or []
        self.found = found
        super().__init__(f"invalid query at column {position + 1}: {reason}")

    def details(self) -> dict[str, Any]:
        return {"position": self.position, "column": self.position + 1, "expected": self.expected, "found": self.found}


@cache
def _parser() -> Lark:
    grammar = resources.files("warden_metadata.query").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


def _describe_expected(names: set[str]) -> list[str]:
    return sorted({_EXPECTED_NAMES.get(name, name) for name in names})


def _syntax_error(query: str, exc: UnexpectedInput) -> QuerySyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = query[position] if position < len(query) else ""
        if char in "\"'":
            return QuerySyntaxError(f"quoted value starting here is never closed (missing {char})", position=position)
        expected = _describe_expected(set(exc.allowed or ()))
        return QuerySyntaxError(
            f"unexpected {char!r}; expected {' or '.join(expected)}", position=position, expected=expected, found=char
        )
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        at_end = token.type == "$END"
        position = len(query) if at_end else (token.start_pos or 0)
        expected = _describe_expected(set(exc.accepts or exc.expected or ()))
        found = "the end of the query" if at_end else repr(str(token))
        return QuerySyntaxError(
            f"found {found}; expected {' or '.join(expected)}",
            position=position,
            expected=expected,
            found=None if at_end else str(token),
        )
    return QuerySyntaxError(str(exc), position=0)  # pragma: no cover - lark raises only the two above for LALR


def _check_shape(tree: Tree[Token]) -> None:
    """Depth and size limits, checked without recursion (a deeply nested query must not exhaust the stack)."""
    comparisons = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(f"query nests deeper than {MAX_DEPTH} levels", position=node.meta.start_pos)
        if node.data == "comparison":
            comparisons += 1
            if comparisons > MAX_COMPARISONS:
                raise QuerySyntaxError(
                    f"query has more than {MAX_COMPARISONS} comparisons", position=node.meta.start_pos
                )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _field(token: Token) -> tuple[str, str | None]:
    text = str(token)
    position = token.start_pos or 0
    match = _MAP_FIELD.match(text)
    name, key = (match["name"].lower(), match["key"]) if match else (text.lower(), None)
    if name in MAP_FIELDS:
        if key is None:
            raise QuerySyntaxError(f"{name} needs a key: {name}[key]", position=position, found=text)
        if not key.strip():
            raise QuerySyntaxError(f"{name}[] needs a non-empty key", position=position, found=text)
        return name, key
    if name not in STRING_FIELDS or key is not None:
        allowed = [*STRING_FIELDS, "tags[key]", "metrics[key]"]
        raise QuerySyntaxError(
            f"unknown field {text!r}; expected one of {', '.join(allowed)}",
            position=position,
            expected=allowed,
            found=text,
        )
    return name, None


def _value_text(token: Token) -> str:
    text = str(token)
    if token.type == "QUOTED":
        return _ESCAPE.sub(r"\1", text[1:-1])
    return text


def _comparison(tree: Tree[Token]) -> Comparison:
    field_token, op_token, value_token = cast(list[Token], tree.children)
    field, key = _field(field_token)
    op = cast(Operator, str(op_token))
    text = _value_text(value_token)
    position = value_token.start_pos or 0
    if "\x00" in text:
        raise QuerySyntaxError("values cannot contain NUL characters", position=position)
    if field == "metrics":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise QuerySyntaxError(
                f"metrics[{key}] compares numbers; {text!r} is not a finite number",
                position=position,
                expected=["a number"],
                found=text,
            )
        return Comparison(field, key, op, number)
    if field == "artifact_type" and op in ("=", "!="):
        text = text.upper()
        if text not in ARTIFACT_TYPES:
            raise QuerySyntaxError(
                f"artifact_type is one of {', '.join(ARTIFACT_TYPES)}; not {text!r}",
                position=position,
                expected=list(ARTIFACT_TYPES),
                found=text,
            )
    return Comparison(field, key, op, text)


def _build(tree: Tree[Token]) -> QueryNode:
    if tree.data == "comparison":
        return _comparison(tree)
    op: Literal["AND", "OR"] = "AND" if tree.data == "and_expr" else "OR"
    return BoolOp(op, tuple(_build(cast(Tree[Token], child)) for child in tree.children))


@lru_cache(maxsize=1024)
def parse_query(query: str) -> QueryNode:
    """The query as a tree of comparisons; `QuerySyntaxError` for anything that is not a valid query.

    Cached: the same few queries come back again and again (UI filters, pipelines), and the result is immutable.
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query is longer than {MAX_QUERY_LENGTH} characters", position=MAX_QUERY_LENGTH)
    if not query.strip():
        raise QuerySyntaxError("query is empty", position=0, expected=["a field name"])
    try:
        tree = _parser().parse(query)
    except UnexpectedInput as exc:
        raise _syntax_error(query, exc) from None
    _check_shape(tree)
    return _build(tree)  # recursion is bounded by MAX_DEPTH
