"""Naming a row's columns with the ML prediction schema (protocols.md §7).

Features are read in order, each taking as many columns as it needs: REAL / CATEGORICAL / TEXT one, PROBA /
ONE_HOT one per category (grouped under the feature's name), TENSOR the product of its shape. CATEGORICAL
values go through `category_map` (`{"0": "Female", ...}`). Accepts the metadata API's camelCase wire names
(`categoryMap`, `nCategories`) and the schema file's snake_case ones.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from warden_native import Namer
from warden_native import namer as compile_namer


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

    def namer_for(self, part: str) -> ColumnNamer:
        """`name_columns` for `part`'s features, worked out once per schema (feedback truth is a response)."""
        return self._response_namer if part == "response" else self._request_namer

    # Worked out on first use (a frozen dataclass may still cache: `cached_property` writes `__dict__` directly).
    @functools.cached_property
    def _request_namer(self) -> ColumnNamer:
        return ColumnNamer(self.requests)

    @functools.cached_property
    def _response_namer(self) -> ColumnNamer:
        return ColumnNamer(self.responses)

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
    return ColumnNamer(features).name(columns)


class ColumnNamer:
    """`name_columns` for one list of features, worked out once: the logger names every row of a deployment
    with the same schema, so each `PredictionSchema` keeps one namer per part (`PredictionSchema.namer_for`)."""

    def __init__(self, features: list[Feature]) -> None:
        self._features = features
        self.width = sum(f.width for f in features)
        names = [f.name for f in features]
        # The common schema (REAL / CATEGORICAL / TEXT features, distinct names) is a zip plus category lookups.
        flat = all(f.width == 1 and f.type not in _GROUPS and f.type != "TENSOR" for f in features)
        self._flat = flat and len(set(names)) == len(names)
        self._names = names
        self._steps = _steps(features)
        self._categories = [(name, lookup) for kind, name, _, _, lookup in self._steps if kind is _LOOKUP]

    @functools.cached_property
    def compiled(self) -> Namer | None:
        """The same naming compiled (`compiled_parts`), made on first use (only the OpenSearch store's logger
        asks); None where it would not name a row exactly as this does."""
        # The steps as plain data: a lookup's (by text, by number) maps, a group's category names.
        steps = [(kind, name, start, end, (extra.by_text, extra.by_number) if kind is _LOOKUP else extra)
                 for kind, name, start, end, extra in self._steps]  # fmt: skip
        return compile_namer(self.width, steps)

    def name(self, columns: list[Any]) -> dict[str, Any] | None:
        if self.width != len(columns) or not self._features:
            return None
        if self._flat:
            elements = dict(zip(self._names, columns, strict=True))
            for name, lookup in self._categories:
                elements[name] = lookup.of(elements[name])
            return elements
        return self._name_in_order(columns)

    def _name_in_order(self, columns: list[Any]) -> dict[str, Any]:
        elements: dict[str, Any] = {}
        for kind, name, start, end, extra in self._steps:
            if kind is _GROUP:
                elements[name] = dict(zip(extra, columns[start:end], strict=True))
            elif kind is _LOOKUP:
                elements[name] = extra.of(columns[start])
            elif kind is _ONE:
                elements[name] = columns[start]
            else:
                elements[name] = columns[start:end]
        return elements


_ONE, _LOOKUP, _GROUP, _SPAN = "one", "lookup", "group", "span"
"""What a feature makes of its columns: the one column, its category, a group of one per category, a list."""


def _steps(features: list[Feature]) -> list[tuple[str, str, int, int, Any]]:
    """(kind, name, first column, end column, categories or lookup) per feature, in order: the columns each
    feature takes and what it makes of them, worked out once instead of per row."""
    steps: list[tuple[str, str, int, int, Any]] = []
    at = 0
    for feature in features:
        start, at = at, at + feature.width
        if feature.type in _GROUPS:
            steps.append((_GROUP, feature.name, start, at, feature.categories))
        elif feature.type == "TENSOR":
            steps.append((_SPAN, feature.name, start, at, None))
        elif feature.type == "CATEGORICAL":
            steps.append((_LOOKUP, feature.name, start, at, _CategoryLookup(feature.category_map)))
        else:
            steps.append((_ONE, feature.name, start, at, None))
    return steps


_GROUPS = frozenset({"PROBA", "ONE_HOT"})
"""Feature types whose columns are grouped under the feature's name, one per category."""


def _category(category_map: dict[str, str], value: Any) -> Any:
    """`2.0` or `2` -> the mapped name of category "2"; unmapped values stay as they are."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return category_map.get(str(value), value)


class _CategoryLookup:
    """`_category` for one category map without the `str()` per value: numeric keys are looked up as numbers.

    A number equals a key's number exactly when `_category` would have produced that key's text: `2`, `2.0` ->
    "2"; `2.5` -> "2.5" (the keys kept are those whose text is how Python writes that number). Other value types
    (bools, None, lists) and non-finite floats take `_category` itself.
    """

    def __init__(self, category_map: dict[str, str]) -> None:
        self.by_text = category_map
        self.by_number: dict[float, str] = {}
        for key, name in category_map.items():
            number = _number_written_as(key)
            if number is not None:
                self.by_number[number] = name

    def of(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self.by_text.get(value, value)
        if kind is int or (kind is float and math.isfinite(value)):
            found = self.by_number.get(value)
            if found is not None:
                return found
            return int(value) if kind is float and value.is_integer() else value
        return _category(self.by_text, value)


def _number_written_as(text: str) -> float | None:
    """The int or non-integral float whose `str()` is `text` (what `_category` compares with), else None."""
    try:
        whole = int(text)
    except ValueError:
        pass
    else:
        return whole if str(whole) == text else None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and not number.is_integer() and str(number) == text else None


def name_by_payload(names: list[str], columns: list[Any]) -> dict[str, Any]:
    """Without a schema: the payload's own column names, else positions ("0", "1", ...)."""
    if len(names) == len(columns):
        return dict(zip(names, columns, strict=True))
    return {str(i): value for i, value in enumerate(columns)}
