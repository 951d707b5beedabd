"""The compiled parts (`warden_native`) give the OpenSearch store exactly the bytes the Python path gives.

The Python path is the definition: each case is one executor event pair decoded from a Kafka record as the bus
decodes it, built twice (with and without `compiled_parts`), merged and turned into the bulk `create` lines, and
the two bodies must be byte-identical. The bodies are random JSON texts reaching every rule the compiled path
has (Seldon and V2 bodies; number spellings, whitespace, escapes, wide integers, repeated keys, names that do or
do not fit, batches, other protocols) and random prediction schemas (categories by text and by number, PROBA /
ONE_HOT groups, TENSOR spans). Where the compiled path declines, the Python path runs, so the bytes must match
there too; the tests also check that it does not decline the common shapes (else they would prove nothing).
"""

from __future__ import annotations

import json
import math
import random
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import CodecError, from_kafka_record, to_kafka_record
from warden_common.logstore import opensearch_bulk as bulk
from warden_common.logstore.port import InstanceWrite
from warden_request_logger.documents import DocumentBuilder, EventContext
from warden_request_logger.schema import PredictionSchema

_TYPES = {"request": "io.seldon.serving.inference.request", "response": "io.seldon.serving.inference.response"}
_DATA = Path(__file__).parents[1] / "data"
_TIME = datetime(2026, 12, 7, 6, 0, 0, 123456, tzinfo=UTC)
_PLAIN_NAMES = ["Age", "Workclass", "Sex", "t:0", "naïve", "a.b", "50%", "x" * 300, ""]


def _event(part: str, body: bytes, rid: str, *, model: str | None = "classifier") -> Any:
    """An executor event with `body` as its data, as the bus hands it to the logger (data not yet decoded)."""
    attributes = {"type": _TYPES[part], "source": "http://income:8000/", "id": f"{rid}-{part}", "time": _TIME,
                  "datacontenttype": "application/json", "requestid": rid, "inferenceservicename": "income",
                  "namespace": "ns", "endpoint": "default"}  # fmt: skip
    if model is not None:
        attributes["modelid"] = model
    key, headers, _ = to_kafka_record(CloudEvent(attributes, data=None), rid)
    return from_kafka_record(list(headers), body, key, defer=True)


def _bulk_lines(builder: DocumentBuilder, bodies: dict[str, bytes], schema: PredictionSchema | None,
                rid: str) -> tuple[bytes, list[str]]:  # fmt: skip
    """The `create` lines of the pair's documents, and which parts came compiled."""
    writes = []
    for part, body in bodies.items():
        event = _event(part, body, rid)
        writes += builder.build(event, EventContext.of(event), schema)
    compiled = [name for item in writes if isinstance(item, InstanceWrite)
                for name, value in item.fields.items() if isinstance(value, orjson.Fragment)]  # fmt: skip
    return b"".join(bulk.create_lines("t-", merged) for merged, _ in bulk.coalesce(writes)), compiled


def _outcome(compiled_parts: bool, bodies: dict[str, bytes], schema: PredictionSchema | None,
             rid: str) -> tuple[bytes | str, list[str]]:  # fmt: skip
    """The bulk lines (or the error the payload is refused with) and the compiled parts."""
    builder = DocumentBuilder(max_payload_bytes=4096, compiled_parts=compiled_parts)
    try:
        return _bulk_lines(builder, bodies, schema, rid)
    except (CodecError, ValueError, TypeError, KeyError, AttributeError) as exc:  # rejected / dead-lettered
        return f"{type(exc).__name__}: {exc}", []


def _same_bytes(bodies: dict[str, bytes], schema: PredictionSchema | None, rid: str = "r-1") -> list[str]:
    """Assert both paths write the same bytes (or refuse the same way); the parts the compiled path took."""
    compiled, parts = _outcome(True, bodies, schema, rid)
    python, none = _outcome(False, bodies, schema, rid)
    assert none == []
    assert compiled == python, (bodies, schema)
    return parts


# --- random JSON texts ------------------------------------------------------------------------------------------


def _space(rng: random.Random) -> str:
    return rng.choice(["", "", "", " ", "\n  ", "\t", "\r\n"])


def _number_text(rng: random.Random, value: float) -> str:
    return rng.choice([repr(value), f"{value:.17g}", f"{value:e}", f"{value:E}"]).replace("inf", "1e999")


def _float(rng: random.Random) -> float:
    choice = rng.randrange(6)
    if choice == 0:
        return rng.choice([0.0, -0.0, 1.0, 0.5, 0.86, 0.14, 1e16, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308])
    if choice == 1:  # any finite double from its bits
        while True:
            (value,) = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))
            if math.isfinite(value):
                return float(value)
    return round(rng.uniform(-1000, 1000), rng.randrange(0, 6))


def _scalar_text(rng: random.Random) -> str:
    choice = rng.randrange(12)
    if choice < 4:
        return str(rng.choice([0, 1, -1, 39, 4, 2, 9, 60, 2**53, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**70,
                               rng.randrange(-1000, 1000)]))  # fmt: skip
    if choice < 7:
        return _number_text(rng, _float(rng))
    if choice < 9:
        text = rng.choice(["Male", "", "naïve ☃", "x" * 1100, "v1", 'q"uote', "back\\slash", "tab\there", "€"])
        return json.dumps(text, ensure_ascii=rng.random() < 0.2)
    if choice < 10:
        return rng.choice(["true", "false"])
    if choice < 11:
        return "null"
    return rng.choice(["NaN", "-Infinity", "1e400", "[1, 2]", '{"a": 1}', "0.0e0", "-0"])


def _text_list(rng: random.Random, items: list[str]) -> str:
    return "[" + _space(rng) + ("," + _space(rng)).join(items) + _space(rng) + "]"


def _object(rng: random.Random, entries: list[tuple[str, str]]) -> str:
    inner = ("," + _space(rng)).join(f"{json.dumps(k)}{_space(rng)}:{_space(rng)}{v}" for k, v in entries)
    return "{" + _space(rng) + inner + _space(rng) + "}"


def _names_text(rng: random.Random, width: int) -> str | None:
    choice = rng.randrange(8)
    if choice == 0:
        return None
    if choice == 1:
        return "null"
    if choice == 2:
        return _text_list(rng, [json.dumps(n) for n in rng.sample(_PLAIN_NAMES, min(width, len(_PLAIN_NAMES)))][:2])
    if choice == 3:
        return _text_list(rng, [json.dumps("dup")] * width)
    if choice == 4:
        return _text_list(rng, [str(i) for i in range(width)])  # numbers: Python stringifies them
    names = [f"f{i}" if rng.random() < 0.7 else rng.choice(_PLAIN_NAMES) + str(i) for i in range(width)]
    return _text_list(rng, [json.dumps(n, ensure_ascii=rng.random() < 0.1) for n in names])


def _seldon_body(rng: random.Random, part: str, width: int) -> bytes:
    row = _text_list(rng, [_scalar_text(rng) for _ in range(width)])
    shape = rng.randrange(10)
    if shape == 0:
        ndarray = row  # one flat instance
    elif shape == 1:
        ndarray = _text_list(rng, [row, row])  # a batch of two: the Python path's
    elif shape == 2:
        ndarray = _text_list(rng, ['"a"', '"b"'])  # a batch of texts
    else:
        ndarray = _text_list(rng, [row])
    data: list[tuple[str, str]] = [("ndarray", ndarray)]
    names = _names_text(rng, width)
    if names is not None:
        data.insert(0, ("names", names))
    message: list[tuple[str, str]] = [("data", _object(rng, data))]
    extra = rng.randrange(12)
    if extra == 0:
        message.append(("meta", _object(rng, [("puid", '"p-1"'), ("tags", _object(rng, [("k", _scalar_text(rng))]))])))
    elif extra == 1:
        message.append(("strData" if part == "request" else "jsonData", '"x"'))
    elif extra == 2:
        message.append(("inputs" if part == "request" else "outputs", "[]"))
    elif extra == 3:
        message.append(("data", "{}"))  # a repeated key: the last one counts in Python
    elif extra == 4:
        message.insert(0, ("status", _object(rng, [("code", "200"), ("status", '"SUCCESS"')])))
    return (_space(rng) + _object(rng, message) + _space(rng)).encode()


def _v2_body(rng: random.Random, part: str, width: int) -> bytes:
    """An Open Inference Protocol (V2) request or response: one tensor as a rule, in the shapes runtimes send."""
    values = [_scalar_text(rng) for _ in range(width)]
    layout = rng.randrange(8)
    if layout == 0:
        shape, data = f"[1, {width}]", _text_list(rng, [_text_list(rng, values)])  # already nested
    elif layout == 1:
        shape, data = f"[{width}]", _text_list(rng, values)  # a batch of one value per row
    elif layout == 2:
        shape, data = rng.choice(["[]", "null", "[1.0, 2]", '"12"', f"[2, {width}]"]), _text_list(rng, values)
    elif layout == 3 and width == 1:
        shape, data = rng.choice(["[1]", "[1, 1]"]), values[0]  # a single value, not a list
    else:
        shape, data = f"[1, {width}]", _text_list(rng, values)
    tensor: list[tuple[str, str]] = [("shape", shape), ("data", data)]
    tensor.append(("datatype", json.dumps(rng.choice(["FP32", "FP64", "INT64", "BYTES", "BOOL"]))))
    name = rng.random()
    if name < 0.8:
        tensor.insert(0, ("name", json.dumps(rng.choice(["predict", "input-0", "", "naïve", "a.b"]))))
    elif name < 0.85:
        tensor.insert(0, ("name", "7"))
    if rng.random() < 0.4:
        names = _names_text(rng, width) or "null"
        tensor.append(("parameters", _object(rng, [("names", names)]) if rng.random() < 0.9 else "[]"))
    tensors = [_object(rng, tensor)]
    if rng.random() < 0.1:
        tensors.append(_object(rng, tensor))  # two tensors: a row per name, the Python path's
    if part == "request":
        message = [("id", '"r-1"'), ("inputs", _text_list(rng, tensors))]
    else:
        message = [("model_name", '"income"'), ("model_version", '"1"'), ("outputs", _text_list(rng, tensors))]
        if rng.random() < 0.1:
            message = message[1:]  # V2 by its output tensors alone
    return _object(rng, message).encode()


def _random_schema(rng: random.Random) -> tuple[PredictionSchema, int]:
    """A request schema and its width (the response gets a PROBA group of two)."""
    features: list[dict[str, Any]] = []
    width = 0
    for i in range(rng.randrange(1, 8)):
        kind = rng.choice(["REAL", "REAL", "CATEGORICAL", "CATEGORICAL", "ONE_HOT", "TENSOR"])
        name = rng.choice([f"f{i}", f"g{i}.x", f"h{i}%", "dup" if rng.random() < 0.1 else f"k{i}"])
        feature: dict[str, Any] = {"name": name, "type": kind, "dataType": "FLOAT"}
        if kind == "CATEGORICAL":
            keys = rng.sample(["0", "1", "2", "4", "9", "2.5", "-1", "x", "Male", "1e3", "10"], 4)
            feature["categoryMap"] = {k: f"cat-{k}" for k in keys}
            width += 1
        elif kind == "ONE_HOT":
            feature["schema"] = [{"name": c, "dataType": "FLOAT"} for c in rng.sample(["a", "b", "c", "d.e"], 3)]
            width += 3
        elif kind == "TENSOR":
            feature["shape"] = [2]
            width += 2
        else:
            width += 1
        features.append(feature)
    groups = [{"name": "<=50K", "dataType": "FLOAT"}, {"name": ">50K", "dataType": "FLOAT"}]
    responses = [{"name": "Income", "type": "PROBA", "dataType": "FLOAT", "schema": groups}]
    return PredictionSchema.parse({"requests": features, "responses": responses}), width


def _category_text(rng: random.Random) -> str:
    return rng.choice(["0", "1", "2", "4.0", "9", "2.5", "-1", "-0.0", '"x"', '"Male"', "1e3", "1000", "10.0", "3.0",
                       "1e20", "true", "null", _scalar_text(rng)])  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_random_seldon_bodies_without_a_schema(seed: int) -> None:
    rng = random.Random(seed)
    taken = 0
    cases = 400
    for case in range(cases):
        width = rng.choice([1, 2, 3, 12, 40])
        bodies = {part: _seldon_body(rng, part, width) for part in ("request", "response")}
        taken += len(_same_bytes(bodies, None, rid=f"r-{seed}-{case}"))
    assert taken > cases * 2 * 0.1  # the common shapes are compiled, not all declined


@pytest.mark.parametrize("seed", range(6))
def test_random_v2_bodies(seed: int) -> None:
    rng = random.Random(500 + seed)
    taken = 0
    cases = 400
    for case in range(cases):
        width = rng.choice([1, 1, 2, 3, 12])
        bodies = {part: _v2_body(rng, part, width) for part in ("request", "response")}
        schema = _random_schema(rng)[0] if rng.random() < 0.2 else None
        taken += len(_same_bytes(bodies, schema, rid=f"v-{seed}-{case}"))
    assert taken > cases * 2 * 0.1


@pytest.mark.parametrize("seed", range(6))
def test_random_schemas(seed: int) -> None:
    rng = random.Random(1000 + seed)
    taken = 0
    cases = 300
    for case in range(cases):
        schema, width = _random_schema(rng)
        if rng.random() < 0.8:  # rows of category-like values, so the lookups are reached
            row = _text_list(rng, [_category_text(rng) for _ in range(width)])
        else:
            row = _text_list(rng, [_scalar_text(rng) for _ in range(width + rng.choice([0, 0, 1, -1]))])
        request = _object(rng, [("data", _object(rng, [("ndarray", _text_list(rng, [row]))]))]).encode()
        response = _object(rng, [("data", _object(rng, [("names", '["t:0", "t:1"]'),
                                                        ("ndarray", f"[[{_scalar_text(rng)}, 0.25]]")]))])  # fmt: skip
        taken += len(_same_bytes({"request": request, "response": response.encode()}, schema, rid=f"s-{case}"))
    assert taken > cases * 2 * 0.2


def test_the_income_example_is_compiled() -> None:
    """The bench's executor pair with and without the income schema: both parts take the compiled path."""
    schema = PredictionSchema.parse(json.loads((_DATA / "income_schema.json").read_text()))
    names = ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship", "Race", "Sex",
             "Capital Gain", "Capital Loss", "Hours per week", "Country"]  # fmt: skip
    row = [39, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]
    request = {"data": {"names": names, "ndarray": [row]}}
    response = {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.86, 0.14]]}}
    bodies = {"request": orjson.dumps(request), "response": orjson.dumps(response)}
    assert _same_bytes(bodies, schema) == ["request", "response"]
    assert _same_bytes(bodies, None) == ["request", "response"]
    v2_request = {"inputs": [{"name": "predict", "shape": [1, 12], "datatype": "INT64", "data": row}]}
    v2_response = {"model_name": "income", "outputs": [{"name": "predict", "shape": [1, 2], "datatype": "FP64",
                                                        "data": [0.86, 0.14]}]}  # fmt: skip
    v2 = {"request": orjson.dumps(v2_request), "response": orjson.dumps(v2_response)}
    assert _same_bytes(v2, schema) == ["request", "response"]
    assert _same_bytes(v2, None) == ["request", "response"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"ndarray": [["a\\u0000b", 1]]}}',  # an escape
        b'{"data": {"ndarray": [[NaN, 1]]}}',  # not JSON (the standard library reads it)
        b'{"data": {"ndarray": [[123456789012345678901234, 1]]}}',  # wider than 64 bits
        b'{"data": {"ndarray": [[1, 2]], "ndarray": [[3, 4]]}}',  # a repeated key
        b'{"data": {"ndarray": [[1, 2], [3, 4]]}}',  # a batch
        b'{"data": {"ndarray": [[1, [2]]]}}',  # a tensor row
        b'{"data": {"names": "ab", "ndarray": [[1, 2]]}}',  # names that are a string
        b'{"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}}',  # another Seldon form
        b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1, 2]}]}',  # a V2 batch
        b'{"instances": [[1, 2]]}',  # KServe V1
        b'{"data": {"ndarray": [["' + b"x" * 5000 + b'"]]}}',  # over the stored-payload limit
        b'{"data": {"ndarray": [[1, 2]]}',  # cut short: the Python path reports it
    ],
)
def test_what_the_compiled_path_declines_takes_the_python_path(body: bytes) -> None:
    response = b'{"data": {"ndarray": [[0.5, 0.5]]}}'
    assert "request" not in _same_bytes({"request": body, "response": response}, None, rid="d-1")
