"""Page tokens and orderBy parsing."""

from __future__ import annotations

import pytest

from warden_common.errors import BadRequest
from warden_metadata import pagination
from warden_metadata.query import SqlParams


def test_token_round_trip_and_binding() -> None:
    token = pagination.encode_token("abc", ["iris", ""], 42)
    assert pagination.decode_token(token, "abc", 2) == (["iris", ""], 42)
    with pytest.raises(BadRequest):
        pagination.decode_token(token, "other", 2)
    with pytest.raises(BadRequest):
        pagination.decode_token(token, "abc", 1)
    for garbage in ("", "!!!", "e30", "bnVsbA"):
        with pytest.raises(BadRequest):
            pagination.decode_token(garbage, "abc", 0)


def test_order_by() -> None:
    keys = pagination.parse_order_by("name desc, artifactType")
    assert [(k.field, k.descending) for k in keys] == [("name", True), ("artifact_type", False)]
    assert pagination.order_clause(keys) == "COALESCE(m.name, '') DESC, m.artifact_type ASC, m.id ASC"
    for bad in ("colour", "name sideways", "name, name", "name desc extra"):
        with pytest.raises(BadRequest):
            pagination.parse_order_by(bad)


def test_after_clause_is_lexicographic_with_id_tiebreak() -> None:
    params = SqlParams()
    keys = pagination.parse_order_by("name desc")
    clause = pagination.after_clause(keys, ["x"], 7, params)
    assert clause == "((COALESCE(m.name, '') < $1::text) OR (COALESCE(m.name, '') = $1::text AND m.id > $2))"
    assert params.values == ["x", 7]
