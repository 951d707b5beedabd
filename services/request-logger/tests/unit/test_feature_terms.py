"""Feature terms on OpenSearch: a keyword range over encoded numbers is exactly the numeric range."""

from __future__ import annotations

import itertools
import random
import struct
from typing import Any

import pytest

from warden_common.logstore.document import feature_entries
from warden_common.logstore.form_cache import FormCache
from warden_common.logstore.opensearch_features import feature_condition, sortable_number
from warden_common.logstore.opensearch_searchable import feature_terms
from warden_common.logstore.port import FeatureFilter

SAMPLES = [-float("inf"), -1e308, -2.5, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1e-300, 0.5, 1.0, 2.0, 39.0, 1e308,
           float("inf")]  # fmt: skip


def test_encoding_sorts_as_the_numbers_do() -> None:
    rng = random.Random(7)
    values = SAMPLES + [struct.unpack(">d", rng.randbytes(8))[0] for _ in range(5000)]
    values = [v for v in values if v == v]  # drop NaNs
    ordered = sorted(values)
    for low, high in itertools.pairwise(ordered):
        assert (sortable_number(low) < sortable_number(high)) == (low < high)
        assert (sortable_number(low) == sortable_number(high)) == (low == high)


def matches(clause: dict[str, Any], terms: list[str]) -> bool:
    """What OpenSearch does with a term / range clause on a keyword field (byte order = code point order)."""
    if "term" in clause:
        (wanted,) = clause["term"].values()
        return wanted in terms
    (bounds,) = clause["range"].values()
    checks = {"gt": lambda t, b: t > b, "gte": lambda t, b: t >= b, "lt": lambda t, b: t < b,
              "lte": lambda t, b: t <= b}  # fmt: skip
    return any(all(checks[op](term, bound) for op, bound in bounds.items()) for term in terms)


ROW = {"Age": 39, "Age2": 10.0, "Sex": "Female", "smoker": False, "Income": {"<=$50K": 0.8}, "pixels": [1, 2],
       "missing": None}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "op", "value", "expected"),
    [
        ("Age", "eq", 39, True), ("Age", "eq", 39.5, False), ("Age", "gt", 38.9, True), ("Age", "gt", 39, False),
        ("Age", "gte", 39, True), ("Age", "lt", 40, True), ("Age", "lt", 39, False), ("Age", "lte", -1, False),
        ("Age", "gt", 20, True),  # Age2 = 10 must not count for Age (nor Age = 39 for Age2)
        ("Age2", "gt", 20, False), ("Ag", "gt", -1e9, False),
        ("Sex", "eq", "Female", True), ("Sex", "eq", "Male", False), ("Sex", "lt", "G", True),
        ("Age", "eq", "39", False),  # a string never matches a number
        ("smoker", "eq", False, True), ("smoker", "eq", True, False),
        ("Income.<=$50K", "gt", 0.5, True), ("Income.<=$50K", "lt", 0.5, False),
    ],
)  # fmt: skip
def test_conditions_match_only_their_own_feature_and_type(name: str, op: Any, value: Any, expected: bool) -> None:
    clause = feature_condition("request.features", FeatureFilter(name=name, op=op, value=value))
    assert matches(clause, feature_terms(ROW)) is expected


def test_names_cannot_run_into_each_other() -> None:
    # Without the length prefix, name "a=s" with value "x" and name "a" with value "s=x" would be one term.
    assert feature_terms({"a=s": "x"}) != feature_terms({"a": "s=x"})
    assert feature_terms({"x" * 2000: 1.0}) == []  # too long a name is not indexed
    assert feature_terms({"n": float("nan"), "inf": float("inf")}) == []


def test_terms_cover_the_same_elements_as_the_postgres_entries() -> None:
    elements = {**ROW, "long": "y" * 5000, "flag": True, "n": float("nan"), "wide": 10**400}
    entries = feature_entries(elements)
    assert len(feature_terms(elements)) == len(entries) == 7
    assert {e["name"] for e in entries} == {"Age", "Age2", "Sex", "smoker", "Income.<=$50K", "long", "flag"}


def test_remembered_terms_are_the_terms_worked_out_afresh() -> None:
    # Terms are remembered by name and value: the second reading of the same (or an equal) row must not differ,
    # and values that are equal in Python but not of one kind (True == 1) must keep their own kinds.
    row = {"Age": 39, "Age2": 39.0, "flag": True, "one": 1, "Sex": "Female", "P": {"a": 0.25, "b": 1}}
    first, second = feature_terms(row), feature_terms(dict(row))
    assert first == second
    assert feature_terms({"x": 1}) == feature_terms({"x": 1.0}) != feature_terms({"x": True})
    assert feature_terms({"x": True}) == ["b1:x=true"]
    assert feature_terms({"P.a": 0.25}) == [t for t in first if t.startswith("n3:P.a=")]
    assert feature_terms({"x": -0.0}) == feature_terms({"x": 0})
    nan = float("nan")
    assert feature_terms({"x": nan}) == feature_terms({"x": nan}) == []
    long_text = "t" * 100  # free text is not remembered, still indexed
    assert feature_terms({"s": long_text}) == feature_terms({"s": long_text}) == ["s1:s=" + long_text]


def test_a_full_term_cache_starts_afresh_and_terms_stay_right() -> None:
    cache = FormCache(limit=2, tables=2)
    numbers, strings = cache.tables
    cache.keep(numbers, "a", 1, "t1")
    cache.keep(numbers, "a", 2, "t2")
    cache.keep(strings, "s", "x", "t3")  # full: forgets the numbers (the very dicts readers hold), keeps this
    assert cache.tables == ({}, {"s": {"x": "t3"}}) and cache.tables[0] is numbers
    many = {f"f{i}": i + 0.5 for i in range(3000)}  # more distinct values than fit are still all indexed
    assert len(feature_terms(many)) == 1000 and feature_terms(many) == feature_terms(dict(many))
