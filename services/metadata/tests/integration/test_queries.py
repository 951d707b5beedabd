"""The query language against real PostgreSQL: the seed's examples, semantics, and hostile input."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import API, MetadataHarness

pytestmark = pytest.mark.integration

MODELS: list[dict[str, Any]] = [
    {
        "URI": "gs://m/iris-1",
        "name": "iris",
        "version": "1.0",
        "artifactType": "SKLEARN",
        "tags": {"author": "Seldon"},
        "metrics": {"p1": 0.9},
    },
    {
        "URI": "gs://m/iris-2",
        "name": "iris",
        "version": "2.0",
        "artifactType": "SKLEARN",
        "tags": {"author": "Jon"},
        "metrics": {"p1": 0.4},
    },
    {
        "URI": "gs://m/iris-3",
        "name": "iris",
        "version": "3.0",
        "artifactType": "XGBOOST",
        "tags": {"author": "Ann"},
        "metrics": {"p1": 0.7},
    },
    {
        "URI": "gs://m/wine-2",
        "name": "wine",
        "version": "2.0",
        "artifactType": "MLFLOW",
        "tags": {"author": "Seldon"},
        "metrics": {"p1": 0.8},
    },
    {
        "URI": "gs://m/wine-3",
        "name": "wine",
        "version": "3.0",
        "artifactType": "CUSTOM",
        "tags": {"stage": "prod"},
        "metrics": {"p1": 1.5},
    },
    {"URI": "gs://m/cifar", "name": "cifar 10", "version": "10.0", "taskType": "image classification", "metrics": {}},
]


async def _seed(harness: MetadataHarness) -> None:
    for model in MODELS:
        response = await harness.client.post(API, json=model)
        assert response.status_code == 200, response.text


async def _query(harness: MetadataHarness, query: str) -> list[str]:
    response = await harness.client.get(API, params={"query": query})
    assert response.status_code == 200, response.text
    return sorted(m["URI"] for m in response.json()["models"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The seed docs' examples (§6.7.1).
        ("name=iris AND version=2.0", ["gs://m/iris-2"]),
        ("(name=iris AND version=2.0) OR version=3.0", ["gs://m/iris-2", "gs://m/iris-3", "gs://m/wine-3"]),
        ("metrics[p1]>0.5 AND tags[author]!=Seldon", ["gs://m/iris-3", "gs://m/wine-3"]),
        ("(version=1.0)", ["gs://m/iris-1"]),
        # AND binds tighter than OR.
        ("name=wine OR name=iris AND version=1.0", ["gs://m/iris-1", "gs://m/wine-2", "gs://m/wine-3"]),
        ("(name=wine OR name=iris) AND version=2.0", ["gs://m/iris-2", "gs://m/wine-2"]),
        # Field names are case-insensitive; artifact_type values too.
        ("NAME=wine AND Artifact_Type=mlflow", ["gs://m/wine-2"]),
        # Versions are strings: lexical comparison ("10.0" < "2.0").
        ("version<2.0", ["gs://m/cifar", "gs://m/iris-1"]),
        ("version>=3.0", ["gs://m/iris-3", "gs://m/wine-3"]),
        # Metrics are numbers: 1.5 > 0.9 numerically.
        ("metrics[p1]>=0.9", ["gs://m/iris-1", "gs://m/wine-3"]),
        ("metrics[p1]<0.5", ["gs://m/iris-2"]),
        # Quoted values may hold spaces and operators.
        ('name="cifar 10"', ["gs://m/cifar"]),
        ("task_type='image classification' OR uri=\"gs://m/x AND y>=1\"", ["gs://m/cifar"]),
        # `!=` is the complement of `=`: a model without the tag is "not Seldon".
        ("tags[author]!=Seldon AND name!=iris", ["gs://m/cifar", "gs://m/wine-3"]),
        ("tags[stage]=prod", ["gs://m/wine-3"]),
        ("project=default AND metrics[p1]!=0.4 AND name=iris", ["gs://m/iris-1", "gs://m/iris-3"]),
    ],
)
async def test_queries(harness: MetadataHarness, query: str, expected: list[str]) -> None:
    await _seed(harness)
    assert await _query(harness, query) == expected


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("name=", 5, "a value"),
        ("name=iris AND", 13, "a field name"),
        ("colour=red", 0, "uri"),
        ("(name=iris", 10, "')'"),
        ("name=iris version=2.0", 10, "AND"),
        ("metrics[p1]>high", 12, "a number"),
        ("name~iris", 4, "an operator (=, !=, >=, <=, <, >)"),
    ],
)
async def test_bad_query_is_400_with_position_and_expectation(
    harness: MetadataHarness, query: str, position: int, expected: str
) -> None:
    response = await harness.client.get(API, params={"query": query})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["reason"] == "invalid_query"
    assert body["details"]["position"] == position
    assert expected in body["details"]["expected"]
    assert f"column {position + 1}" in body["message"]


INJECTIONS = [
    "name='x'; DROP TABLE warden_metadata.models; --'",
    "name=x' OR '1'='1",
    'name="x\\" OR 1=1 --"',
    "tags[a'] = 1; DELETE FROM warden_metadata.models; --]=x",
    "metrics[p1) OR (1=1]>0",
    "name=$1",
    "uri=\"'||pg_sleep(5)||'\"",
]


async def test_injection_attempts_are_inert(harness: MetadataHarness) -> None:
    await _seed(harness)
    for attempt in INJECTIONS:
        response = await harness.client.get(API, params={"query": attempt})
        assert response.status_code in (200, 400), (attempt, response.text)
        if response.status_code == 200:
            assert response.json()["models"] == [], attempt  # matched literally, so nothing
    conn = await asyncpg.connect(harness.dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM warden_metadata.models") == len(MODELS)
    finally:
        await conn.close()


_QUERY_PIECES = ["AND", "OR", "and", "name", "version", "tags[", "metrics[", "uri", "1.5", "x", "\x00", "é"]
_QUERY_ALPHABET = st.sampled_from([*"()=!<>\"' \\[]._-;$%", *_QUERY_PIECES])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.text(max_size=60), st.lists(_QUERY_ALPHABET, max_size=25).map("".join)))
async def test_random_queries_never_cause_a_server_error(harness: MetadataHarness, query: str) -> None:
    response = await harness.client.get(API, params={"query": query})
    assert response.status_code in (200, 400), (query, response.status_code, response.text)
