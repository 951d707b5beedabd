"""The query parser and SQL compiler, without a database: grammar, precedence, errors, and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warden_metadata.query import BoolOp, Comparison, QuerySyntaxError, SqlParams, compile_filter, parse_query
from warden_metadata.query.parser import ARTIFACT_TYPES, MAX_DEPTH
from warden_metadata.schemas import ArtifactType


def test_seed_examples() -> None:
    assert parse_query("name=iris AND version=2.0") == BoolOp(
        "AND", (Comparison("name", None, "=", "iris"), Comparison("version", None, "=", "2.0"))
    )
    assert parse_query("(name=iris AND version=2.0) OR version=3.0") == BoolOp(
        "OR",
        (
            BoolOp("AND", (Comparison("name", None, "=", "iris"), Comparison("version", None, "=", "2.0"))),
            Comparison("version", None, "=", "3.0"),
        ),
    )
    assert parse_query("metrics[metricName]>1.0 AND tags[tagKey]!=someValue") == BoolOp(
        "AND", (Comparison("metrics", "metricName", ">", 1.0), Comparison("tags", "tagKey", "!=", "someValue"))
    )


def test_and_binds_tighter_than_or() -> None:
    node = parse_query("uri=a OR name=b AND version=c OR project=d")
    assert isinstance(node, BoolOp) and node.op == "OR"
    assert [type(child).__name__ for child in node.operands] == ["Comparison", "BoolOp", "Comparison"]


@pytest.mark.parametrize("text", ["NAME=x", "Name=x", "name = x", "  name= x  "])
def test_field_names_are_case_insensitive_and_spaces_are_free(text: str) -> None:
    assert parse_query(text) == Comparison("name", None, "=", "x")


def test_keywords_are_case_insensitive_but_need_a_word_boundary() -> None:
    assert parse_query("name=a and version=b or uri=c") == parse_query("name=a AND version=b OR uri=c")
    assert parse_query("name=ANDROID") == Comparison("name", None, "=", "ANDROID")
    assert parse_query("name=and") == Comparison("name", None, "=", "and")


def test_quoted_values_hold_spaces_operators_and_escapes() -> None:
    assert parse_query('name="a b AND c>=d (e)"') == Comparison("name", None, "=", "a b AND c>=d (e)")
    assert parse_query("name='it\\'s'") == Comparison("name", None, "=", "it's")
    assert parse_query('tags[my key]="x"') == Comparison("tags", "my key", "=", "x")


def test_artifact_type_values_are_checked_and_normalised() -> None:
    assert parse_query("artifact_type=sklearn") == Comparison("artifact_type", None, "=", "SKLEARN")
    with pytest.raises(QuerySyntaxError, match="artifact_type is one of"):
        parse_query("artifact_type=KERAS")
    assert {t.value for t in ArtifactType} == set(ARTIFACT_TYPES)


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("", 0, "a field name"),
        ("name", 4, "an operator (=, !=, >=, <=, <, >)"),
        ("name=", 5, "a value"),
        ("name=a AND", 10, "a field name"),
        ("name=a)", 6, "the end of the query"),
        ("(name=a", 7, "')'"),
        ("name=a b", 7, "AND"),
        ("weight=1", 0, "uri"),
        ("metrics[acc]>x", 13, "a number"),
        ("metrics[acc]>nan", 13, "a number"),
    ],
)
def test_errors_say_where_and_what_was_expected(text: str, position: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert expected in caught.value.expected
    assert f"column {position + 1}" in str(caught.value)


def test_unclosed_quote_is_named() -> None:
    with pytest.raises(QuerySyntaxError, match="never closed") as caught:
        parse_query('name="abc')
    assert caught.value.position == 5


def test_nesting_and_size_are_bounded() -> None:
    deep = "(name=a AND " * (MAX_DEPTH + 1) + "name=b" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(QuerySyntaxError, match="nests deeper"):
        parse_query(deep)
    with pytest.raises(QuerySyntaxError, match="comparisons"):
        parse_query(" OR ".join(["name=a"] * 101))
    with pytest.raises(QuerySyntaxError, match="longer than"):
        parse_query("name=" + "a" * 5000)
    # Redundant parentheses do not count as nesting.
    assert parse_query("(" * 200 + "name=a" + ")" * 200) == Comparison("name", None, "=", "a")


_PIECES = st.sampled_from(
    ["(", ")", "=", "!=", ">=", "<", " ", '"', "'", "\\", "AND", "OR", "name", "tags[k]", "metrics[m]", "1.5", "x"]
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_text_parses_or_fails_with_a_query_error(text: str) -> None:
    try:
        node = parse_query(text)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        return
    params = SqlParams()
    sql = compile_filter(node, params)
    assert sql.count("$") == len(params.values)


_VALUE = st.text(min_size=1, max_size=40).filter(lambda v: "\x00" not in v)


@settings(max_examples=1000, deadline=None)
@given(value=_VALUE, key=_VALUE.filter(lambda k: "]" not in k and k.strip() != ""))
def test_values_and_keys_never_reach_the_sql_text(value: str, key: str) -> None:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for text in (f'name="{escaped}"', f'tags[{key}]="{escaped}"', f'tags[{key}]>="{escaped}"'):
        node = parse_query(text)
        params = SqlParams()
        sql = compile_filter(node, params)
        # The SQL is only fixed text and placeholders; the user's text travels as parameters, intact.
        assert re.fullmatch(r"[\w\s().>=<:!@\"'$-]+", sql), sql
        assert value in [p if isinstance(p, str) else next(iter(p.values())) for p in params.values]
