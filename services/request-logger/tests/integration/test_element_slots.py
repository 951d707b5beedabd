"""The PostgreSQL log store's element slots (migration 0004): the typed arrays distributions read say what the
documents' `elements` say - for instances the store writes and for instances logged before the migration (its
backfill) - and a distribution read from the arrays equals the same distribution read from the JSONB elements."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from warden_common.db import apply_migrations
from warden_common.logstore import DeploymentRef, InstanceWrite, postgres_slots
from warden_common.logstore import postgres_distributions as pgdist
from warden_common.logstore.distributions import CohortCondition, DistributionQuery
from warden_common.logstore.migrations import SERVICE, migrations
from warden_common.logstore.postgres import PostgresLogStore

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 5, tzinfo=UTC)
ODD = 'we"ird, {name}\\'  # quotes, a comma, braces, a backslash: data, never SQL or array syntax


def _fields(n: int) -> dict[str, Any]:
    """Instance n: integers, floats (as categories too), strings, booleans, a group, a tensor, a huge integer."""
    request = {"Age": 17 + n % 60, "Score": [0.5, 1e-05, 2.25, 1e16][n % 4], "Education": ["Dropout", ODD][n % 2],
               "Ok": n % 3 == 0, "Wide": 2**1100 if n == 7 else n, "Tensor": [1, 2, 3], "Nothing": None,
               ODD: n % 5}  # fmt: skip
    if n % 4 == 0:
        del request["Education"]  # an element some instances lack
    response = {"Income": {"<=$50K": round(1 - n / 100, 4), ">$50K": round(n / 100, 4)}, "Label": n % 2 == 1}
    when = (START + timedelta(minutes=n)).isoformat()
    return {"requestId": f"r{n}", "timestamp": when, "endpoint": "default",
            "request": {"elements": request}, "response": {"elements": response}}  # fmt: skip


def _queries(deployment: str) -> list[DistributionQuery]:
    base = DistributionQuery(namespace="slots", deployment=deployment, part="request", feature="Age", kind="numbers",
                             start=START, end=START + timedelta(hours=2), histogram_interval=7)  # fmt: skip
    income = replace(base, part="response", feature="Income", kind="classes", classes=("<=$50K", ">$50K", "none"),
                     histogram_interval=0.1)  # fmt: skip
    cohort = (CohortCondition("request", "Age", gte=25, lte=50), CohortCondition("request", "Education",
                                                                                 terms=("Dropout", ODD)))  # fmt: skip
    return [
        base, replace(base, time_buckets=6), replace(base, cohort=cohort),
        replace(base, feature="Wide", kind="categories", histogram_interval=None),
        replace(base, feature="Score", histogram_interval=None), replace(base, feature="Missing"),
        replace(base, feature="Score", kind="categories", histogram_interval=None),
        replace(base, feature="Education", kind="categories", histogram_interval=None),
        replace(base, feature="Ok", kind="categories", histogram_interval=None, cohort=cohort[:1]),
        replace(base, feature=ODD, kind="categories", histogram_interval=None),
        replace(base, feature="Age", kind="categories", histogram_interval=None,
                cohort=(CohortCondition("response", "Income", category=">$50K", gt=0.2),)),
        replace(base, feature="Tensor", kind="categories", histogram_interval=None),
        income, replace(income, cohort=cohort, time_buckets=4),
        replace(income, classes=(*(f"c{n}" for n in range(7)), "<=$50K", ">$50K")),  # one row per class
        replace(base, part="response", feature="Label", kind="categories", histogram_interval=None),
    ]  # fmt: skip


def _rounded(value: Any) -> Any:
    """A result with its sums rounded: the one-pass PROBA statement adds the same numbers in another order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _rounded(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return round(value, 9) if isinstance(value, float) else value


async def _both_ways(conn: asyncpg.Connection, query: DistributionQuery) -> tuple[Any, Any]:
    """The distribution read from the slot arrays and the same read from the JSONB elements (sums rounded)."""
    answers = []
    for slots in (await postgres_slots.read(conn, query.namespace, query.deployment), None):
        text, params = pgdist.statement(query, slots)
        assert ("OFFSET 0" in text) is (slots is None), text  # the JSONB statement only without slots
        answers.append(_rounded(pgdist.assemble(query, [tuple(r) for r in await conn.fetch(text, *params)])))
    return answers[0], answers[1]


async def _arrays(conn: asyncpg.Connection, deployment: str) -> dict[tuple[str, str, tuple[str, ...]], Any]:
    """Each instance's values by element path, as a query reads them (whatever the arrays' length; a number's text
    from its label, or else from `elements`: the backfill cannot tell 1e16 from an integer, nor needs to)."""
    rows = await conn.fetch(
        """SELECT doc_id, part, path, number,
                  COALESCE(label, CASE WHEN number IS NOT NULL THEN element #>> '{}' END) AS label
           FROM (SELECT i.doc_id, s.part, s.path,
                        (CASE s.part WHEN 'request' THEN i.request_numbers
                                     ELSE i.response_numbers END)[s.slot] AS number,
                        (CASE s.part WHEN 'request' THEN i.request_labels
                                     ELSE i.response_labels END)[s.slot] AS label,
                        i.elements -> s.part #> s.path AS element
                 FROM warden_logs.instances i JOIN warden_logs.element_slots s USING (namespace, deployment)
                 WHERE i.namespace = 'slots' AND i.deployment = $1) v""",
        deployment,
    )
    return {(r["doc_id"], r["part"], tuple(r["path"])): (r["number"], r["label"]) for r in rows}


async def test_backfilled_and_written_slots_agree_with_the_elements(fresh_database: str) -> None:
    # Instances logged before migration 0004 (rows as the store wrote them then), then the migration's backfill.
    await apply_migrations(fresh_database, SERVICE, [m for m in migrations() if m.version <= 3])
    conn = await asyncpg.connect(fresh_database)
    try:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        for n in range(40):
            fields = _fields(n)
            doc = {**fields, "docId": f"r{n}-item-0", "namespace": "slots", "deployment": "before"}
            await conn.execute(
                "INSERT INTO warden_logs.instances (namespace, deployment, doc_id, request_id, endpoint, ts, doc) "
                "VALUES ('slots', 'before', $1, $2, 'default', $3, $4)",
                f"r{n}-item-0", f"r{n}", datetime.fromisoformat(fields["timestamp"]), doc,
            )  # fmt: skip
        assert await apply_migrations(fresh_database, SERVICE, migrations()) == [4]

        # The same instances through the store: request and response parts written apart, as the logger does.
        store = PostgresLogStore(fresh_database)
        await store.start()
        try:
            ref = DeploymentRef("slots", "after")
            for part in ("request", "response"):
                writes = []
                for n in range(40):
                    fields = _fields(n)
                    kept = {k: v for k, v in fields.items() if k not in {"request", "response"} - {part}}
                    writes.append(InstanceWrite(ref, f"r{n}-item-0", kept))
                assert await store.write(writes) == []
        finally:
            await store.close()

        before, after = await _arrays(conn, "before"), await _arrays(conn, "after")
        assert before == after and len(before) == 40 * 9  # 6 request elements are scalars, 3 response ones
        assert before[("r7-item-0", "request", ("Wide",))] == (None, str(2**1100))  # no double, its digits
        assert before[("r1-item-0", "request", ("Score",))] == (1e-05, "0.00001")  # PostgreSQL's text of 1e-05
        assert before[("r1-item-0", "request", ("Education",))] == (None, ODD)
        assert before[("r0-item-0", "request", ("Education",))] == (None, None)
        assert before[("r0-item-0", "request", ("Ok",))] == (None, "true")
        assert before[("r3-item-0", "response", ("Income", ">$50K"))] == (0.03, "0.03")
        for deployment in ("before", "after"):
            for query in _queries(deployment):
                from_slots, from_elements = await _both_ways(conn, replace(query, deployment=deployment))
                assert from_slots == from_elements, query
                assert from_slots["overall"]["instances"] == 40 or query.cohort, query
        scores = (await _both_ways(conn, replace(_queries("after")[6], deployment="after")))[0]
        assert scores["overall"]["categories"] == {"0.5": 10, "0.00001": 10, "2.25": 10, "10000000000000000": 10}
    finally:
        await conn.close()


async def test_a_part_written_again_replaces_its_values_and_new_elements_get_slots_once(fresh_database: str) -> None:
    stores = [PostgresLogStore(fresh_database) for _ in range(3)]
    for store in stores:
        await store.start()
    ref = DeploymentRef("slots", "racing")
    try:
        # Three writers (three processes' worth of slot caches) meet the same new elements at once.
        results = await asyncio.gather(*(
            store.write([InstanceWrite(ref, f"w{i}-{n}", _fields(n)) for n in range(20)])
            for i, store in enumerate(stores)
        ))  # fmt: skip
        assert results == [[], [], []]
        conn = await asyncpg.connect(fresh_database)
        try:
            slots = await conn.fetch("SELECT part, slot FROM warden_logs.element_slots WHERE deployment = 'racing'")
            assert len(slots) == len({(r["part"], r["slot"]) for r in slots}) == 9
            # The request part again, with fewer elements: the old values of that part are gone, the response stays.
            again = {"timestamp": _fields(3)["timestamp"], "request": {"elements": {"Age": 99, "Extra": "new"}}}
            assert await stores[0].write([InstanceWrite(ref, "w0-3", again)]) == []
            age = replace(_queries("racing")[7], feature="Extra")
            from_slots, from_elements = await _both_ways(conn, age)
            assert from_slots == from_elements and from_slots["overall"]["categories"] == {"new": 1}
            for query in _queries("racing"):
                from_slots, from_elements = await _both_ways(conn, query)
                assert from_slots == from_elements, query
            income = await stores[1].distribution(_queries("racing")[12])
            assert income.overall.instances == 60
        finally:
            await conn.close()
    finally:
        for store in stores:
            await store.close()
