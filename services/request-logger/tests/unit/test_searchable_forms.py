"""The one walk that makes OpenSearch's searchable forms gives what the two walks it replaced gave.

The oracles below are those two walks as they were (terms: `opensearch_features._add_terms`; slots:
`opensearch_distributions._add`), without their caches, so a cache that answered wrongly would show too.
Compared on random rows built to reach every branch and both limits; dict order counts (it is the JSON's).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from warden_common.logstore import document as doc
from warden_common.logstore.opensearch_bulk import instance_source
from warden_common.logstore.opensearch_features import MAX_NAME_CHARS, sortable_number, term_prefix
from warden_common.logstore.opensearch_searchable import MAX_SLOT_NAMES, field_name, searchable_forms
from warden_common.logstore.port import DeploymentRef, InstanceWrite
from warden_common.testing.random_rows import random_row


def oracle_terms(elements: dict[Any, Any]) -> list[str]:
    terms: list[str] = []

    def add(elements: dict[Any, Any], group: str | None) -> None:
        for key, value in elements.items():
            name = key if type(key) is str else str(key)
            if group is not None:
                name = f"{group}.{name}"
            kind = type(value)
            term: str | None = None
            if kind is int or kind is float:
                try:
                    finite = math.isfinite(value)
                except OverflowError:
                    finite = False
                if len(name) <= MAX_NAME_CHARS and finite:
                    term = term_prefix("n", name) + sortable_number(value)
            elif kind is str:
                if len(name) <= MAX_NAME_CHARS:
                    term = term_prefix("s", name) + value[: doc.MAX_KEYWORD]
            elif isinstance(value, dict):
                add(value, name)
            elif isinstance(value, bool) and len(name) <= MAX_NAME_CHARS:
                term = term_prefix("b", name) + ("true" if value else "false")
            if term:
                terms.append(term)
            if len(terms) >= doc.MAX_FEATURES:
                return

    add(elements, None)
    return terms[: doc.MAX_FEATURES]


def oracle_slots(elements: dict[Any, Any]) -> tuple[dict[str, float], dict[str, str]]:
    numbers: dict[str, float] = {}
    texts: dict[str, str] = {}

    def add(elements: dict[Any, Any], group: str | None) -> None:
        for key, value in elements.items():
            if len(numbers) + len(texts) >= MAX_SLOT_NAMES:
                return
            name = str(key) if group is None else f"{group}.{key}"
            if not name or len(name) > 255:
                continue
            kind = type(value)
            if kind is float or kind is int:
                if kind is float and not math.isfinite(value):
                    continue
                if kind is int and not -(2**53) <= value <= 2**53:
                    continue
                numbers[field_name(name)] = value
            elif kind is bool:
                texts[field_name(name)] = "true" if value else "false"
            elif kind is str:
                texts[field_name(name)] = value[: doc.MAX_KEYWORD]
            elif isinstance(value, dict) and group is None:
                add(value, name)

    add(elements, None)
    return numbers, texts


@pytest.mark.parametrize("seed", range(60))
def test_one_walk_gives_what_the_two_walks_gave(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(5):
        row = random_row(rng)
        terms, numbers, texts = searchable_forms(row)
        expected_numbers, expected_texts = oracle_slots(row)
        assert terms == oracle_terms(row)
        assert list(numbers.items()) == list(expected_numbers.items())
        assert list(texts.items()) == list(expected_texts.items())


def test_both_limits_are_reached_independently() -> None:
    wide = {f"f{i}": float(i) for i in range(1200)}
    terms, numbers, texts = searchable_forms(wide)
    assert len(terms) == doc.MAX_FEATURES and len(numbers) == MAX_SLOT_NAMES and not texts
    # Elements without slots (names too long for a field) leave the slots' room to later ones.
    named = {**{"y" * 300 + str(i): 1 for i in range(600)}, "Age": 39}
    terms, numbers, _ = searchable_forms(named)
    assert len(terms) == 601 and numbers == {"Age": 39}


def test_instance_source_adds_the_forms_to_request_response_and_truth_only() -> None:
    fields = {
        "requestId": "r",
        "request": {"elements": {"Age": 39, "Sex": "Male"}},
        "response": {"elements": {"proba": {">50K": 0.8}}},
        "feedback": {"truth": {"elements": {"label": "yes"}}},
    }
    source = instance_source(InstanceWrite(DeploymentRef("ns", "dep"), "r-item-0", fields))
    assert source["request"]["features"] == oracle_terms({"Age": 39, "Sex": "Male"})
    assert source["request"]["values"] == {"Age": 39} and source["request"]["categories"] == {"Sex": "Male"}
    assert source["response"]["values"] == {"proba%2E>50K": 0.8}
    assert source["feedback"]["truth"] == {"elements": {"label": "yes"}, "features": ["s5:label=yes"]}
    assert list(source["request"]) == ["elements", "features", "values", "categories"]
    assert fields["request"] == {"elements": {"Age": 39, "Sex": "Male"}}  # the write's own fields untouched
