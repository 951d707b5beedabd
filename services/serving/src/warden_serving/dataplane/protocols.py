"""Translate Seldon and TensorFlow/KServe-V1 payloads to MLServer's V2 and back; validate V2 as it passes.

Seldon responses look like a Seldon Core model server's: `data.names` (`t:0`, `t:1`... for class columns),
`data.ndarray` (or `data.tensor` / `data.tftensor` in the form the request used) and `meta.puid`; `binData`
(base64 bytes) reaches the model as one BYTES element with MLServer's `base64` content type and a bytes answer
goes back as `binData`. For SKLEARN_SERVER and
XGBOOST_SERVER a Seldon call asks for `predict_proba` (Seldon's default `method`), overridable with a graph
parameter `method`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from warden_common.events.protocols import V2_DATATYPES
from warden_serving.dataplane.arrays import InvalidPayload as InvalidPayload
from warden_serving.dataplane.arrays import check_shape, datatype_of, flatten, reshape
from warden_serving.dataplane.tftensor import BASE64, tftensor_to_v2, v2_to_tftensor
from warden_serving.specs import PredictorPlan

SELDON_PAYLOAD_KEYS = ("data", "strData", "jsonData", "binData")


@dataclass(frozen=True)
class SeldonShape:
    """What the reply should look like: the form the request used."""

    form: str  # ndarray | tensor | tftensor | strData | jsonData | binData


def require_object(body: Any, protocol: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidPayload(f"a {protocol} request must be a JSON object, got {type(body).__name__}")
    checked: dict[str, Any] = body
    return checked


def seldon_to_v2(body: Any, plan: PredictorPlan) -> tuple[dict[str, Any], SeldonShape]:
    body = require_object(body, "Seldon")
    present = [k for k in SELDON_PAYLOAD_KEYS if k in body]
    if len(present) != 1:
        raise InvalidPayload(
            "a Seldon request needs exactly one of data, strData, jsonData, binData"
            + (f" (got {present})" if present else f"; got keys {sorted(body)}")
        )
    key = present[0]
    if key == "strData":
        if not isinstance(body[key], str):
            raise InvalidPayload("strData must be a string")
        return _v2([_tensor("input-0", [1], "BYTES", [body[key]])], None), SeldonShape("strData")
    if key == "jsonData":
        text = json.dumps(body[key])
        return _v2([_tensor("input-0", [1], "BYTES", [text], content_type="str")], None), SeldonShape("jsonData")
    if key == "binData":
        return _v2([_bin_data(body[key])], _seldon_output(plan)), SeldonShape("binData")
    data = body["data"]
    if not isinstance(data, dict):
        raise InvalidPayload("data must be an object with ndarray or tensor")
    if "ndarray" in data:
        shape, flat = flatten(data["ndarray"], "data.ndarray")
        datatype, form = datatype_of(flat, "data.ndarray"), "ndarray"
    elif "tensor" in data:
        tensor = data["tensor"]
        if not isinstance(tensor, dict) or not isinstance(tensor.get("values"), list):
            raise InvalidPayload("data.tensor needs shape and values")
        flat = tensor["values"]
        shape = check_shape(tensor.get("shape"), len(flat), "data.tensor")
        datatype, form = datatype_of(flat, "data.tensor.values"), "tensor"
        if datatype != "FP64":
            raise InvalidPayload("data.tensor.values must be numbers")
    elif "tftensor" in data:
        request_tensor = tftensor_to_v2(data["tftensor"], "input-0")
        return _v2([request_tensor], _seldon_output(plan)), SeldonShape("tftensor")
    else:
        raise InvalidPayload(f"data needs ndarray, tensor or tftensor; got keys {sorted(data)}")
    names = data.get("names")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise InvalidPayload("data.names must be a list of strings")
    return _v2([_tensor("input-0", shape, datatype, flat)], _seldon_output(plan)), SeldonShape(form)


def _bin_data(value: Any) -> dict[str, Any]:
    """binData is base64 bytes: passed on as one BYTES element MLServer's `base64` content type decodes."""
    if not isinstance(value, str):
        raise InvalidPayload("binData must be a base64 string")
    try:
        base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidPayload(f"binData is not valid base64: {exc}") from exc
    return _tensor("input-0", [1], "BYTES", [value], content_type=BASE64)


def _seldon_output(plan: PredictorPlan) -> str | None:
    if plan.is_custom:
        return plan.parameters.get("method")
    return plan.parameters.get("method", "predict_proba")


def v2_to_seldon(response: dict[str, Any], shape: SeldonShape, puid: str, plan: PredictorPlan) -> dict[str, Any]:
    meta = {"puid": puid, "tags": {}, "routing": {}, "requestPath": {plan.model_name: plan.implementation}}
    outputs = response.get("outputs") or []
    if not outputs:
        return {"meta": meta, "data": {"names": [], "ndarray": []}}
    out = outputs[0]
    values = out.get("data") or []
    out_shape = list(out.get("shape") or [len(values)])
    names = [f"t:{i}" for i in range(out_shape[1])] if len(out_shape) == 2 else []
    if shape.form == "tftensor":
        return {"meta": meta, "data": {"names": names, "tftensor": v2_to_tftensor(out)}}
    if out.get("datatype") == "BYTES":
        if len(values) == 1 and shape.form == "binData":
            is_base64 = (out.get("parameters") or {}).get("content_type") == BASE64
            encoded = values[0] if is_base64 else base64.b64encode(str(values[0]).encode()).decode()
            return {"meta": meta, "binData": encoded}
        if len(values) == 1 and shape.form in ("strData", "jsonData"):
            text = values[0]
            return (
                {"meta": meta, "jsonData": json.loads(text)}
                if shape.form == "jsonData"
                else {"meta": meta, "strData": text}
            )
        return {"meta": meta, "data": {"names": [], "ndarray": reshape(values, out_shape)}}
    if shape.form == "tensor":
        return {"meta": meta, "data": {"names": names, "tensor": {"shape": out_shape, "values": values}}}
    return {"meta": meta, "data": {"names": names, "ndarray": reshape(values, out_shape)}}


def v1_to_v2(body: Any) -> dict[str, Any]:
    body = require_object(body, "TensorFlow/V1")
    if "instances" in body:
        value, where = body["instances"], "instances"
    elif "inputs" in body:
        value, where = body["inputs"], "inputs"
    else:
        raise InvalidPayload(f"a V1 predict request needs instances or inputs; got keys {sorted(body)}")
    shape, flat = flatten(value, where)
    if not shape:
        raise InvalidPayload(f"{where} must be a list")
    return _v2([_tensor("input-0", shape, datatype_of(flat, where), flat)], None)


def v2_to_v1(response: dict[str, Any]) -> dict[str, Any]:
    outputs = response.get("outputs") or []
    if not outputs:
        return {"predictions": []}
    out = outputs[0]
    values = out.get("data") or []
    shape = list(out.get("shape") or [len(values)])
    if len(shape) == 2 and shape[1] == 1:
        shape = shape[:1]  # one prediction per instance, as KServe's sklearn/xgboost servers answer
    return {"predictions": reshape(values, shape)}


def check_v2_request(raw: Any) -> dict[str, Any]:
    body = require_object(raw, "V2")
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise InvalidPayload("a V2 request needs a non-empty inputs list")
    for i, tensor in enumerate(inputs):
        where = f"inputs[{i}]"
        if not isinstance(tensor, dict):
            raise InvalidPayload(f"{where} must be an object")
        for field in ("name", "shape", "datatype", "data"):
            if field not in tensor:
                raise InvalidPayload(f"{where}.{field} is required")
        if tensor["datatype"] not in V2_DATATYPES:
            raise InvalidPayload(f"{where}.datatype {tensor['datatype']!r} is not one of {sorted(V2_DATATYPES)}")
        data = tensor["data"]
        _, flat = flatten(data, f"{where}.data") if isinstance(data, list) else ([], [data])
        check_shape(tensor["shape"], len(flat), where)
        kind = datatype_of(flat, f"{where}.data")
        if (kind == "BYTES") != (tensor["datatype"] == "BYTES"):
            raise InvalidPayload(f"{where}.data does not match datatype {tensor['datatype']}")
    return body


def _tensor(
    name: str, shape: list[int], datatype: str, data: list[Any], content_type: str | None = None
) -> dict[str, Any]:
    tensor: dict[str, Any] = {"name": name, "shape": shape, "datatype": datatype, "data": data}
    if content_type:
        tensor["parameters"] = {"content_type": content_type}
    return tensor


def _v2(inputs: list[dict[str, Any]], output: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {"inputs": inputs}
    if output:
        request["outputs"] = [{"name": output}]
    return request
