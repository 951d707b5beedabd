"""Pure helpers of the standalone bus: header packing, key hashing, schema-name checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warden_common.bus.postgres_sql import BusSql, pack_headers, partition_for_key, unpack_headers

header_lists = st.lists(st.tuples(st.text(max_size=40), st.binary(max_size=300)), max_size=12)


@given(header_lists)
def test_headers_round_trip_with_order_and_duplicates(headers: list[tuple[str, bytes]]) -> None:
    assert unpack_headers(pack_headers(tuple(headers))) == tuple(headers)


def test_a_key_always_maps_to_the_same_partition() -> None:
    # Fixed values: the mapping must not change between processes or releases (it decides per-key order).
    assert [partition_for_key(f"key-{i}".encode(), 8) for i in range(6)] == [4, 2, 0, 6, 5, 3]
    assert partition_for_key(b"abc", 8) == 0x352441C2 % 8


@pytest.mark.parametrize("schema", ["Bus", "bus-1", "1bus", "bus; drop table x", ""])
def test_schema_names_that_are_not_plain_identifiers_are_refused(schema: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        BusSql(schema)


def test_lock_namespace_differs_between_schemas_and_fits_int4() -> None:
    a, b = BusSql("warden_bus").lock_namespace, BusSql("other_bus").lock_namespace
    assert a != b
    assert 0 <= a < 2**31 and 0 <= b < 2**31
