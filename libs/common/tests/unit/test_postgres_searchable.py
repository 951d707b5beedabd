"""The one walk that makes the PostgreSQL store's searchable forms gives what the two walks it replaced gave.

The oracles are those walks, still the definition: `document.feature_entries` (the typed entries feature searches
read) and `postgres_slots.scalars` (what fills the element slots), and, for whole documents, the `with_features`
the store called before (below, as it was). Compared on random rows that reach every branch and the entries'
limit, odd Python types included; dict order counts for the entries (it is the JSON's).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from warden_common.logstore import document as doc
from warden_common.logstore import postgres_slots as slots
from warden_common.logstore.postgres_searchable import part_forms, searchable_fields
from warden_common.testing.random_rows import random_row


def same(left: Any, right: Any) -> bool:
    """Equal, with NaN equal to NaN (neither form keeps one, but a wrong one would show as unequal, not pass)."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


def oracle_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`document.with_features(fields, document.feature_entries)` as the store called it, and then the scalars of
    each request and response part present, as the store worked them out."""
    out = dict(fields)
    for name in ("request", "response"):
        part = out.get(name)
        if isinstance(part, dict) and isinstance(part.get("elements"), dict):
            out[name] = {**part, "features": doc.feature_entries(part["elements"])}
    feedback = out.get("feedback")
    if isinstance(feedback, dict) and isinstance(feedback.get("truth"), dict):
        truth = feedback["truth"]
        if isinstance(truth.get("elements"), dict):
            out["feedback"] = {**feedback, "truth": {**truth, "features": doc.feature_entries(truth["elements"])}}
    scalars = {}
    for name in slots.PARTS:
        if name in out:
            body = out[name]
            scalars[name] = slots.scalars(body.get("elements") if isinstance(body, dict) else None)
    return out, scalars


@pytest.mark.parametrize("seed", range(60))
def test_one_walk_gives_the_entries_and_the_scalars(seed: int) -> None:
    rng = random.Random(seed)
    rows = [random_row(rng, odd_types=True) for _ in range(5)]
    # Again, and mixed: the second time a name and value come, their forms are the remembered ones.
    mixed = {key: value for row in rows for key, value in row.items() if rng.random() < 0.5}
    for row in [*rows, *rows, mixed]:
        entries, scalars = part_forms(row)
        assert same(entries, doc.feature_entries(row))
        assert same(scalars, slots.scalars(row))
        assert all(type(number) is float for number, _ in scalars.values() if number is not None)


def test_remembered_forms_keep_equal_values_of_other_types_apart_and_survive_a_full_cache() -> None:
    rows: list[dict[str, object]] = [{"x": 1, "y": "1"}, {"x": True, "y": "1"}, {"x": 1.0, "y": 1}, {"x": 1, "y": "1"},
                                     {"x": 2**70}]  # fmt: skip
    for row in rows:
        assert same(part_forms(row), (doc.feature_entries(row), slots.scalars(row)))
    many: dict[str, object] = {
        f"f{i}": i for i in range(120_000)
    }  # more than the cache keeps: it starts afresh on the way
    entries, scalars = part_forms(many)
    assert same(entries, doc.feature_entries(many)) and same(scalars, slots.scalars(many))


@pytest.mark.parametrize("seed", range(20))
def test_whole_documents_get_what_with_features_and_scalars_gave(seed: int) -> None:
    rng = random.Random(1000 + seed)
    parts: list[Any] = [None, "text", {}, {"time": "t"}]
    for _ in range(10):
        fields: dict[str, Any] = {"requestId": "r", "itemIndex": 0}
        for name in ("request", "response"):
            if rng.random() < 0.8:
                fields[name] = ({"time": "t", "elements": random_row(rng, odd_types=True)} if rng.random() < 0.8
                                else rng.choice(parts))  # fmt: skip
        if rng.random() < 0.3:
            fields["feedback"] = {"reward": 1.0, "truth": {"elements": random_row(rng)}}
        assert same(searchable_fields(fields), oracle_fields(fields))


def test_the_entries_stop_at_their_limit_and_the_scalars_do_not() -> None:
    wide = {**{f"f{i}": float(i) for i in range(doc.MAX_FEATURES - 1)}, "g": {"a": 1, "b": 2}, "last": "x"}
    entries, scalars = part_forms(wide)
    assert len(entries) == doc.MAX_FEATURES and entries[-1] == {"name": "g.a", "num": 1.0}
    assert len(scalars) == doc.MAX_FEATURES + 2 and scalars[("last",)] == (None, "x")
