"""The PostgreSQL log store writes documents and payloads as JSON text it casts to jsonb: every JSON value comes
back as written - payloads that are lists (which a `jsonb[]` parameter would have read as an array dimension),
strings, numbers and objects in one batch - and a document PostgreSQL cannot hold is refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from warden_common.logstore import DeploymentRef, InstanceWrite, LogQuery, PayloadWrite
from warden_common.logstore.postgres import PostgresLogStore

pytestmark = pytest.mark.integration

REF = DeploymentRef("json", "values")
PAYLOADS: dict[str, Any] = {
    "list": [[1, 2], [3, 4]],
    "flat": [1, "two", None, {"three": 3.5}],
    "text": "aGVsbG8=",
    "number": 2.5,
    "object": {"data": {"ndarray": [[1.0, 2.0]]}, "ünï": 'q"uote\\'},
}


async def test_payloads_of_every_json_kind_round_trip_in_one_batch(fresh_database: str) -> None:
    store = PostgresLogStore(fresh_database)
    await store.start()
    try:
        writes: list[Any] = []
        for rid, payload in PAYLOADS.items():
            fields = {"requestId": rid, "request": {"elements": {"x": 1}, "names": ["x"]}}
            writes += [InstanceWrite(REF, f"{rid}-0", fields), PayloadWrite(REF, rid, "request", payload, size_bytes=9)]
        assert await store.write(writes) == []
        page = await store.search(LogQuery(namespace=REF.namespace, deployment=REF.deployment, page_size=50))
        stored = {hit.document["requestId"]: hit for hit in page.hits}
        assert set(stored) == set(PAYLOADS)
        for rid, payload in PAYLOADS.items():
            assert stored[rid].payloads["request"]["payload"] == payload, rid
            assert stored[rid].document["request"]["names"] == ["x"]

        bad = InstanceWrite(REF, "nan-0", {"requestId": "nan", "request": {"elements": {"x": float("nan")}}})
        good = InstanceWrite(REF, "ok-0", {"requestId": "ok", "request": {"elements": {"x": 2}}})
        refused = await store.write([bad, good])
        assert [(r.position, r.status) for r in refused] == [(0, 400)]
        assert "PostgreSQL refused the document" in refused[0].reason
    finally:
        await store.close()
