"""The PostgreSQL log store's jsonb encoder: orjson's text only where PostgreSQL reads the same value as from
`json.dumps`; everything else is `json.dumps`'s own text (or its error)."""

from __future__ import annotations

import enum
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from warden_common.logstore.postgres_json import dumps


class Label(enum.StrEnum):
    A = "a"


class Name(str):
    pass


def _same_value(text: str, value: Any) -> bool:
    return bool(json.loads(text) == json.loads(json.dumps(value)))


@pytest.mark.parametrize(
    "value",
    [
        {"Age": 39, "Score": 0.5, "Sex": "Male", "Ok": True, "Nothing": None, "tiny": 1e-05, "big": 1e16, "neg": -0.0},
        {"text": 'grüße, 東京 " \\ \n', "nested": {"list": [1, [2, {"x": None}]], "tuple": (1, 2)}},
        [1, 2.5, "x", None, False],
        "plain",
        2**63 - 1,
        {"label": Label.A},  # orjson writes an enum member's value, as json does for a str enum
    ],
)
def test_plain_values_are_written_by_orjson_and_read_back_the_same(value: Any) -> None:
    text = dumps(value)
    assert text != json.dumps(value) or value == "plain" or isinstance(value, int)  # the fast path was taken
    assert _same_value(text, value)


@pytest.mark.parametrize(
    "value",
    [
        {"x": [1.0, math.nan]},  # json writes NaN (PostgreSQL refuses the row); orjson would write null
        {"x": {"y": math.inf}},
        [-math.inf, None],  # a null beside the infinity: still json's text
        {"wide": 2**70},  # beyond 64 bits: orjson refuses, json writes it
        {1: "int key"},  # json turns the key into "1"; orjson refuses
        {"name": Name("n")},  # a str subclass: json's text
        "lone \udc80 surrogate",
    ],
)
def test_values_orjson_would_read_otherwise_get_jsons_exact_text(value: Any) -> None:
    assert dumps(value) == json.dumps(value)


def test_what_json_refuses_is_refused_the_same_way() -> None:
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        dumps({"when": datetime(2026, 1, 1, tzinfo=UTC)})
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(looped)


def test_deep_values_are_left_to_json() -> None:
    deep: Any = math.nan
    for _ in range(100):
        deep = [deep]
    assert dumps(deep) == json.dumps(deep)
