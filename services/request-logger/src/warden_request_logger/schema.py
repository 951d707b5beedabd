"""Naming a row's columns with the ML prediction schema (protocols.md §7).

Features are read in order, each taking as many columns as it needs: REAL / CATEGORICAL / TEXT one, PROBA /
ONE_HOT one per category (grouped under the feature's name), TENSOR the product of its shape. CATEGORICAL
values go through `category_map` (`{"0": "Female", ...}`). Accepts the metadata API's camelCase wire names
(`categoryMap`, `nCategories`) and the schema file's snake_case ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Feature:
    name: str
    type: str
    category_map: dict[str, str]
    categories: list[str]
    width: int


@dataclass(frozen=True)
class PredictionSchema:
    requests: list[Feature]
    responses: list[Feature]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> PredictionSchema:
        return cls([_feature(f) for f in raw.get("requests") or []], [_feature(f) for f in raw.get("responses") or []])

    def features_for(self, part: str) -> list[Feature]:
        return self.responses if part == "response" else self.requests

    @property
    def is_empty(self) -> bool:
        return not self.requests and not self.responses


def _feature(raw: dict[str, Any]) -> Feature:
    kind = str(raw.get("type", "REAL")).upper()
    category_map = raw.get("categoryMap") or raw.get("category_map") or {}
    subs = [str(s.get("name")) for s in raw.get("schema") or [] if isinstance(s, dict)]
    n_categories = raw.get("nCategories") or raw.get("n_categories")
    if kind in ("PROBA", "ONE_HOT"):
        count = len(subs) or int(n_categories or len(category_map) or 1)
        categories = subs or [category_map.get(str(i), str(i)) for i in range(count)]
        width = len(categories)
    elif kind == "TENSOR":
        categories, width = [], _product(raw.get("shape") or [1])
    else:
        categories, width = [], 1
    return Feature(str(raw.get("name", "")), kind, {str(k): str(v) for k, v in category_map.items()}, categories, width)


def _product(shape: list[Any]) -> int:
    total = 1
    for size in shape:
        total *= max(1, int(size))
    return total


def name_columns(features: list[Feature], columns: list[Any]) -> dict[str, Any] | None:
    """Elements of a row by the schema, or None when the row does not have the columns the schema describes."""
    if not features or sum(f.width for f in features) != len(columns):
        return None
    elements: dict[str, Any] = {}
    at = 0
    for feature in features:
        taken = columns[at : at + feature.width]
        at += feature.width
        if feature.type in ("PROBA", "ONE_HOT"):
            elements[feature.name] = dict(zip(feature.categories, taken, strict=True))
        elif feature.type == "TENSOR":
            elements[feature.name] = taken
        elif feature.type == "CATEGORICAL":
            elements[feature.name] = _category(feature, taken[0])
        else:
            elements[feature.name] = taken[0]
    return elements


def _category(feature: Feature, value: Any) -> Any:
    """`2.0` or `2` -> the mapped name of category "2"; unmapped values stay as they are."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return feature.category_map.get(str(value), value)


def name_by_payload(names: list[str], columns: list[Any]) -> dict[str, Any]:
    """Without a schema: the payload's own column names, else positions ("0", "1", ...)."""
    if len(names) == len(columns):
        return dict(zip(names, columns, strict=True))
    return {str(i): value for i, value in enumerate(columns)}
