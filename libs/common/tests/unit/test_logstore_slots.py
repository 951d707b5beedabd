"""Element slots of the PostgreSQL log store (no I/O): which values go in the typed arrays, the array literals, and
which statement a distribution query becomes."""

from __future__ import annotations

from datetime import UTC, datetime

from warden_common.logstore import postgres_distributions as pgdist
from warden_common.logstore import postgres_slots as slots
from warden_common.logstore.distributions import CohortCondition, DistributionQuery
from warden_common.testing.random_rows import OddFloat


def test_scalars_as_postgresql_reads_their_json() -> None:
    found = slots.scalars({"Age": 39, "Score": 0.5, "Sex": "Male", "Ok": True, "Wide": 2**1100, "Tensor": [1, 2],
                           "Nothing": None, "Income": {">$50K": 0.2, "nested": {"x": 1}}, 7: "seven"})  # fmt: skip
    assert found == {
        ("Age",): (39.0, "39"),
        ("Score",): (0.5, None),  # the text of a non-integer is read from `elements` (0.5, but 1e-05 -> 0.00001)
        ("Sex",): (None, "Male"),
        ("Ok",): (None, "true"),
        ("Wide",): (None, str(2**1100)),  # no double holds it
        ("Income", ">$50K"): (0.2, None),
        ("7",): (None, "seven"),
    }
    assert slots.scalars(None) == {} and slots.scalars([1, 2]) == {}
    assert slots.typed(float("nan")) is None and slots.typed(float("inf")) is None


def test_arrays_put_values_at_their_slots_and_quote_every_text() -> None:
    values: dict[slots.Path, slots.Value] = {("Sex",): (None, 'a "b", {c}\\'), ("Age",): (39.0, "39"),
                                             ("Late",): (1e-05, None)}  # fmt: skip
    numbers, labels = slots.arrays(values, {("Age",): 1, ("Sex",): 3, ("Late",): 4})
    assert numbers == "{39.0, NULL, NULL, 1e-05}"
    assert labels == '{"39",NULL,"a \\"b\\", {c}\\\\",NULL}'
    assert slots.arrays(values, {("Other",): 1}) == (None, None)
    # A float subclass is written as its plain float: the numbers' literal is their list's text.
    assert slots.typed(OddFloat(0.5)) == (0.5, None) and type(slots.typed(OddFloat(0.5))[0]) is float  # type: ignore[index]


QUERY = DistributionQuery(namespace="ns", deployment="income", part="response", feature="Income", kind="classes",
                          classes=("<=$50K", ">$50K"), start=datetime(2026, 1, 5, tzinfo=UTC),
                          end=datetime(2026, 1, 6, tzinfo=UTC), histogram_interval=0.1,
                          cohort=(CohortCondition("request", "Education", terms=("Dropout",)),))  # fmt: skip
SLOTS: pgdist.Slots = {"response": {("Income", "<=$50K"): 1, ("Income", ">$50K"): 2}, "request": {("Education",): 5}}


def test_a_query_reads_slots_and_names_stay_parameters() -> None:
    text, params = pgdist.statement(QUERY, SLOTS)
    assert "i.response_numbers[" in text and "i.request_labels[" in text and "OFFSET 0" not in text
    assert "VALUES" in text  # the classes in one pass
    assert "Income" not in text and "Dropout" not in text and "Education" not in text
    assert all(f"${n}" in text for n in range(1, len(params) + 1))  # PostgreSQL refuses a parameter it never sees
    flat = {p for p in params if not isinstance(p, list)}
    assert {"Education", "<=$50K", ">$50K", 1, 2, 5} <= flat and ["Dropout"] in params


def test_no_slots_or_an_element_past_the_limit_reads_jsonb() -> None:
    assert "OFFSET 0" in pgdist.statement(QUERY, None)[0]
    full: pgdist.Slots = {"response": {("Other", str(n)): n + 1 for n in range(slots.MAX_SLOTS)}}
    text, _ = pgdist.statement(QUERY, full)
    assert "OFFSET 0" in text and "i.elements" in text
    # An element no instance holds as a scalar (slots are free) is NULL, read from nowhere.
    text, _ = pgdist.statement(QUERY, {"response": {}, "request": {}})  # no slot taken
    assert "i.response_numbers" not in text and "i.elements" not in text and "NULL::float8" in text
