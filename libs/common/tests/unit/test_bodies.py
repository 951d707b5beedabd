"""Body limits: 413 over the size (declared or streamed), 422 beyond the depth or items per array/object."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import yaml
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

from warden_common.bodies import (
    BodyTooDeep,
    BodyTooManyItems,
    check_json_shape,
    check_value_shape,
    is_json_media_type,
    json_shape_checked,
    parse_json,
    read_json,
)
from warden_common.errors import BadRequest
from warden_common.service_app import create_service_app
from warden_common.settings import BodyLimits, ServiceSettings

LIMITS = BodyLimits(max_bytes=4096, max_depth=4, max_items=5)


def test_json_within_the_limits_passes() -> None:
    for body in (b"1", b'"x"', b"[]", b"{}", b"[[[1]]]", b'{"a": {"b": [1, 2, 3, 4, 5]}}', b"[1,2,3,4,5]"):
        check_json_shape(body, LIMITS)
        assert parse_json(body, LIMITS) == json.loads(body)
    # Brackets and commas inside strings, escaped quotes included, are not structure.
    check_json_shape(b'["[[[[[[", "a\\"[[[[[[,,,,,,,,", "{,,,,,,,,,}"]', LIMITS)


@pytest.mark.parametrize(
    "body", [b"[[[[[1]]]]]", b'{"a":{"b":{"c":{"d":{}}}}}', b'[{"a":[{"b":[]}]}]', b"[" * 5000 + b"]" * 5000]
)
def test_deeper_than_the_limit_is_422(body: bytes) -> None:
    with pytest.raises(BodyTooDeep) as raised:
        check_json_shape(body, LIMITS)
    assert raised.value.status_code == 422
    assert "deeper than 4 levels" in raised.value.message
    assert raised.value.details == {"limit": "max_depth", "max": 4}


@pytest.mark.parametrize(
    "body", [b"[1,2,3,4,5,6]", b'{"x": [[1,2,3,4,5,6]]}', b'{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}']
)
def test_more_items_than_the_limit_is_422(body: bytes) -> None:
    with pytest.raises(BodyTooManyItems) as raised:
        check_json_shape(body, LIMITS)
    assert raised.value.status_code == 422 and "more than 5 items" in raised.value.message


def test_items_are_counted_per_container_not_per_body() -> None:
    check_json_shape(b"[[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5]]", LIMITS)


def test_malformed_json_is_left_to_the_parser() -> None:
    for body in (b"]]]", b"[1,2", b'{"a": "unterminated'):
        check_json_shape(body, LIMITS)
        with pytest.raises(BadRequest, match="not valid JSON"):
            parse_json(body, LIMITS)
    with pytest.raises(BadRequest, match="empty"):
        parse_json(b"  ", LIMITS)


def test_parsed_yaml_values_are_checked_the_same_way() -> None:
    check_value_shape(yaml.safe_load("a: {b: [1, 2]}"), LIMITS)
    with pytest.raises(BodyTooDeep):
        check_value_shape(yaml.safe_load("a: {b: [[[1]]]}"), LIMITS)
    with pytest.raises(BodyTooManyItems):
        check_value_shape(yaml.safe_load("[1, 2, 3, 4, 5, 6]"), LIMITS)
    # Aliases: 200 bytes that expand to 5**8 (390625) values are refused without walking them all.
    levels = ["l0: &l0 [x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]" for i in range(1, 8)]
    bomb = "\n".join(levels)
    with pytest.raises(BodyTooManyItems, match="expands to more than"):
        check_value_shape(yaml.safe_load(bomb), BodyLimits(max_bytes=1024, max_depth=10, max_items=10))


def test_json_media_types() -> None:
    for media in ("application/json", "application/json; charset=utf-8", "text/json", "application/cloudevents+json"):
        assert is_json_media_type(media)
    assert not is_json_media_type(None)
    for other in ("", "application/yaml", "application/octet-stream", "text/plain"):
        assert not is_json_media_type(other)


def test_the_check_is_fast_on_a_large_tensor() -> None:
    tensor = json.dumps({"inputs": [{"name": "x", "shape": [1, 150528], "datatype": "FP32",
                                     "data": [0.5] * 150528}]}).encode()  # fmt: skip
    limits = BodyLimits()
    started = time.perf_counter()
    check_json_shape(tensor, limits)
    checked = time.perf_counter() - started
    started = time.perf_counter()
    json.loads(tensor)
    parsed = time.perf_counter() - started
    assert checked < parsed, (checked, parsed)  # well under the parse it protects (about a fifth, measured)


class _Model(BaseModel):
    extra: dict[str, Any] = {}


def _app() -> FastAPI:
    router = APIRouter()

    @router.post("/json")
    async def json_route(request: Request) -> dict[str, str]:
        return {"type": type(await read_json(request)).__name__}

    @router.post("/model", dependencies=[Depends(json_shape_checked)])
    async def model_route(body: _Model) -> dict[str, int]:
        return {"keys": len(body.extra)}

    @router.post("/raw")
    async def raw_route(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return create_service_app("limits", settings=ServiceSettings(body_limits=LIMITS), routers=[router])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://limits") as c:
        yield c


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 1000):
        yield data[start : start + 1000]


@pytest.mark.parametrize("path", ["/json", "/model", "/raw"])
async def test_every_route_answers_413_over_the_size(client: httpx.AsyncClient, path: str) -> None:
    big = b'{"extra": {"a": "' + b"x" * 5000 + b'"}}'
    json_type = {"content-type": "application/json"}
    declared = await client.post(path, content=big, headers=json_type)  # Content-Length says it at once
    streamed = await client.post(path, content=_chunks(big), headers=json_type)  # chunked: found while reading
    for answer in (declared, streamed):
        assert answer.status_code == 413, answer.text
        assert answer.json() == {
            "code": 413,
            "reason": "payload_too_large",
            "message": "the request body exceeds the limit of 4096 bytes",
            "details": {"maxBytes": 4096},
        }


@pytest.mark.parametrize("path", ["/json", "/model"])
async def test_every_json_route_answers_422_beyond_depth_and_items(client: httpx.AsyncClient, path: str) -> None:
    deep = await client.post(path, json={"extra": {"a": [[[[1]]]]}})
    assert deep.status_code == 422 and deep.json()["reason"] == "body_too_deep", deep.text
    wide = await client.post(path, json={"extra": {"a": [1, 2, 3, 4, 5, 6]}})
    assert wide.status_code == 422 and wide.json()["reason"] == "body_too_many_items", wide.text
    fine = await client.post(path, json={"extra": {"a": [1, 2]}})
    assert fine.status_code == 200, fine.text


async def test_a_model_body_too_deep_for_python_parser_is_422(client: httpx.AsyncClient) -> None:
    nested = b'{"extra": {"a": ' + b"[" * 1900 + b"]" * 1900 + b"}}"
    answer = await client.post("/model", content=nested, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and answer.json()["reason"] == "body_too_deep", answer.text
