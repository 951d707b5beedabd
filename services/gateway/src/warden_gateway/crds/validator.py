"""Validate an object against a CRD's `openAPIV3Schema` with `jsonschema`, the way the Kubernetes API server would.

The CRD schema is OpenAPI 3.0, close to JSON Schema draft 7; the differences handled here:
- `nullable: true` becomes a `"null"` type; other nulls are pruned before validation, as the API server prunes
  them (see `prune_nulls`), so `{"replicas": null}` means "not set" rather than a type error.
- `x-kubernetes-list-type: set` means unique items; `map` means unique by `x-kubernetes-list-map-keys`.
- `x-kubernetes-int-or-string` comes with its own `anyOf` in these CRDs; the error message names both types.
- `x-kubernetes-preserve-unknown-fields`, `-embedded-resource` and `-map-type` need no check: the schemas are
  structural and set no `additionalProperties: false`, so unknown fields are accepted and kept as they are.
- `format` (int32, int64, byte, ...) is not checked, nor are defaults applied: objects are stored as submitted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft7Validator, ValidationError, validators

from warden_gateway.crds import CrdName, load_crd

_MAX_VALUE_CHARS = 120


@dataclass(frozen=True, order=True)
class Problem:
    """One reason an object is invalid, at a dotted JSON path (`spec.predictors[0].traffic`)."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def format_path(parts: Any) -> str:
    """`["spec", "predictors", 0, "name"]` -> `spec.predictors[0].name`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def _list_type(validator: Any, list_type: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "array"):
        return
    if list_type == "set":
        seen: list[Any] = []
        for index, item in enumerate(instance):
            if item in seen:
                yield ValidationError(f"duplicate item {_short(item)} in a set-like list", path=[index])
            seen.append(item)
    elif list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys", [])
        # A key left out takes its schema default (a port's protocol is TCP), as the API server defaults it.
        item_props = schema.get("items", {}).get("properties", {})
        defaults = {k: item_props.get(k, {}).get("default") for k in keys}
        seen_keys: set[str] = set()
        for index, item in enumerate(instance):
            if not isinstance(item, dict):
                continue
            item = {**defaults, **{k: v for k, v in item.items() if v is not None}}
            key = json.dumps([item.get(k) for k in keys])
            if key in seen_keys:
                named = ", ".join(f"{k}={item.get(k)!r}" for k in keys)
                yield ValidationError(f"duplicate entry with {named}", path=[index])
            seen_keys.add(key)


_KubernetesValidator = validators.extend(Draft7Validator, {"x-kubernetes-list-type": _list_type})


def _to_json_schema(schema: Any) -> Any:
    """Rewrite the OpenAPI-only keywords jsonschema does not know (`nullable`)."""
    if isinstance(schema, list):
        return [_to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: ({k: _to_json_schema(v) for k, v in value.items()} if key == "properties" else _to_json_schema(value))
        for key, value in schema.items()
    }
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@functools.cache
def _validator(name: CrdName) -> Any:
    return _KubernetesValidator(_to_json_schema(load_crd(name).schema))


def prune_nulls(value: Any) -> Any:
    """`value` without mapping entries whose value is null (what the API server does for non-nullable fields)."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(item) for item in value]
    return value


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _describe(error: ValidationError) -> Problem:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else "?"
        return Problem(format_path([*path, missing]), "required field is missing")
    if error.validator == "anyOf" and isinstance(error.schema, dict) and error.schema.get("x-kubernetes-int-or-string"):
        return Problem(format_path(path), f"must be an integer or a string, got {_short(error.instance)}")
    if error.validator == "type":
        return Problem(format_path(path), f"must be of type {error.validator_value}, got {_short(error.instance)}")
    if error.validator == "enum":
        return Problem(format_path(path), f"must be one of {error.validator_value}, got {_short(error.instance)}")
    if error.validator == "pattern":
        return Problem(format_path(path), f"{_short(error.instance)} does not match {error.validator_value!r}")
    return Problem(format_path(path), error.message if len(error.message) < 300 else error.message[:297] + "...")


def schema_problems(name: CrdName, obj: dict[str, Any]) -> list[Problem]:
    """Every schema violation of `obj` (already null-pruned) against CRD `name`, sorted by path."""
    return sorted({_describe(error) for error in _validator(name).iter_errors(obj)})
