"""Keyset pagination: every row that existed when paging started is seen exactly once, whatever is inserted
meanwhile, in every order; tokens are bound to their listing."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from .conftest import API, MetadataHarness

pytestmark = pytest.mark.integration


def _model(i: int, prefix: str) -> dict[str, Any]:
    # Names spread over the alphabet so that new rows land before, between and after the rows already paged.
    rng = random.Random(f"{prefix}{i}")
    name = "".join(rng.choice("abcdefghij") for _ in range(3))
    return {"URI": f"gs://{prefix}/{i}", "name": name, "version": f"{i}", "tags": {"batch": prefix}}


async def _page_through(harness: MetadataHarness, params: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    token = ""
    while True:
        response = await harness.client.get(API, params={**params, "pageToken": token} if token else params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(m["URI"] for m in body["models"])
        token = body["nextPageToken"]
        if not token:
            return seen
        await asyncio.sleep(0)  # let the writer interleave between pages


@pytest.mark.parametrize("order_by", [None, "name", "name desc, version", "version desc"])
async def test_pages_have_no_gaps_or_duplicates_under_concurrent_inserts(
    harness: MetadataHarness, order_by: str | None
) -> None:
    existing = [_model(i, "old") for i in range(120)]
    for model in existing:
        assert (await harness.client.post(API, json=model)).status_code == 200

    stop = asyncio.Event()
    inserted: list[str] = []

    async def writer() -> None:
        i = 0
        while not stop.is_set():
            model = _model(i, "new")
            assert (await harness.client.post(API, json=model)).status_code == 200
            inserted.append(model["URI"])
            i += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        params: dict[str, Any] = {"pageSize": 7}
        if order_by:
            params["orderBy"] = order_by
        seen = await _page_through(harness, params)
    finally:
        stop.set()
        await task

    assert inserted, "the writer never ran concurrently with the paging"
    assert len(seen) == len(set(seen)), "a row was returned twice"
    missing = {m["URI"] for m in existing} - set(seen)
    assert not missing, f"rows that existed all along were skipped: {sorted(missing)[:5]}"
    assert set(seen) <= {m["URI"] for m in existing} | set(inserted)


async def test_query_results_paginate_and_tokens_are_bound(harness: MetadataHarness) -> None:
    for i in range(25):
        assert (await harness.client.post(API, json=_model(i, "q"))).status_code == 200
    seen = await _page_through(harness, {"query": "tags[batch]=q", "pageSize": 4})
    assert sorted(seen) == sorted(f"gs://q/{i}" for i in range(25)) and len(seen) == 25

    first = (await harness.client.get(API, params={"query": "tags[batch]=q", "pageSize": 4})).json()
    token = first["nextPageToken"]
    other_query = await harness.client.get(API, params={"query": "tags[batch]=z", "pageToken": token})
    assert other_query.status_code == 400 and other_query.json()["details"]["field"] == "pageToken"
    other_order = await harness.client.get(
        API, params={"query": "tags[batch]=q", "orderBy": "name", "pageToken": token}
    )
    assert other_order.status_code == 400
    garbage = await harness.client.get(API, params={"pageToken": "not-a-token!"})
    assert garbage.status_code == 400
    negative = await harness.client.get(API, params={"pageSize": -1})
    assert negative.status_code == 400
