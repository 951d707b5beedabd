"""What an explainer is built from: reference rows, a saved explainer's folder, the column names of a schema."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from warden_common.errors import BadRequest
from warden_common.explainers import ExplainerSpec
from warden_common.objectstore import ObjectStoreSettings, object_store_for
from warden_common.upstreams import Upstreams
from warden_detectors.explainers.build import Columns


class UnreadableReference(BadRequest):
    code = "invalid_reference"


async def load_reference(uri: str, settings: ObjectStoreSettings) -> np.ndarray[Any, Any]:
    """The rows at `uri`: a `.npy` array (no pickles) or a headerless numeric `.csv`."""
    with tempfile.TemporaryDirectory(prefix="warden-reference-") as tmp:
        folder = await object_store_for(uri, settings).fetch(uri, Path(tmp))
        rows = await asyncio.to_thread(_read_rows, folder, uri)  # a large file must not hold up the event loop
    if rows.ndim == 0 or len(rows) == 0:
        raise UnreadableReference(f"referenceUri {uri} holds no rows")
    checked: np.ndarray[Any, Any] = rows
    return checked


def _read_rows(folder: Path, uri: str) -> np.ndarray[Any, Any]:
    files = [p for p in sorted(folder.rglob("*")) if p.suffix in (".npy", ".csv")] if folder.is_dir() else [folder]
    if not files:
        raise UnreadableReference(f"referenceUri {uri} holds no .npy or .csv file")
    try:
        if files[0].suffix == ".npy":
            rows: np.ndarray[Any, Any] = np.load(files[0], allow_pickle=False)
            return rows
        return np.loadtxt(files[0], delimiter=",", dtype=float, ndmin=2)
    except ValueError as exc:
        raise UnreadableReference(f"referenceUri {uri} is not a readable .npy or numeric .csv: {exc}") from exc


async def fetch_saved(uri: str, settings: ObjectStoreSettings, into: Path) -> Path:
    """The folder of the saved alibi explainer at `uri` (what `explainer.save(path)` wrote)."""
    folder = await object_store_for(uri, settings).fetch(uri, into)
    found = sorted(await asyncio.to_thread(lambda: list(folder.rglob("meta.dill"))))
    if not found:
        raise UnreadableReference(f"modelUri {uri} is not a saved alibi explainer (no meta.dill)")
    return found[0].parent


async def resolve_columns(spec: ExplainerSpec, upstreams: Upstreams) -> Columns:
    """Names and category maps: given in the spec, or from a prediction schema (inline, or the catalog's)."""
    if spec.feature_names or spec.category_map:
        return Columns(spec.feature_names, dict(spec.category_map or {}))
    if spec.prediction_schema:
        return Columns.from_schema(spec.prediction_schema)
    if spec.catalog_model_uri and upstreams.configured("metadata"):
        answer = await upstreams.send(
            "metadata", "GET", "/api/v1alpha1/model/metadata", params={"URI": spec.catalog_model_uri}
        )
        models = answer.json().get("models", []) if answer.status_code == 200 else []
        schema = models[0].get("prediction_schema") or models[0].get("predictionSchema") if models else None
        if isinstance(schema, dict):
            return Columns.from_schema(schema)
    return Columns()
