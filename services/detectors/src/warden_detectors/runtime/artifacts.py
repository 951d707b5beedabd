"""Fetch what a detector is built from: a saved detector folder (`storage_uri`) and reference data
(`reference_uri`, .npy or .csv), through `warden_common.objectstore` (local paths, file://, s3://)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from pathlib import Path

import numpy as np

from warden_common.objectstore import ObjectStoreSettings, object_store_for
from warden_detectors.configs.model import StoredDetector
from warden_detectors.runtime.arrays import Array
from warden_detectors.runtime.kinds import BuildInputs

REFERENCE_SUFFIXES = (".npy", ".csv")


class ArtifactError(ValueError):
    """An artifact or reference dataset that cannot be used, and why."""


class ArtifactFetcher:
    def __init__(self, root: Path, settings: ObjectStoreSettings) -> None:
        self._root = root
        self._settings = settings

    async def inputs_for(self, detector: StoredDetector) -> BuildInputs:
        basic = detector.basic
        storage_uri, reference_uri = basic.get("storage_uri"), basic.get("reference_uri")
        artifact_dir = await self._fetch(detector, "artifact", storage_uri) if storage_uri else None
        reference = None
        if reference_uri:
            folder = await self._fetch(detector, "reference", reference_uri)
            reference = await asyncio.to_thread(load_reference, _single_file(folder, str(reference_uri)))
        return BuildInputs(artifact_dir, reference)

    async def _fetch(self, detector: StoredDetector, what: str, uri: object) -> Path:
        if not isinstance(uri, str):
            raise ArtifactError(f"{what} URI must be a string")
        # One folder per detector and URI: a changed config never reads a stale copy of another URI.
        digest = hashlib.sha256(f"{detector.key}|{uri}".encode()).hexdigest()[:16]
        dest = self._root / what / digest
        await asyncio.to_thread(shutil.rmtree, dest, True)
        store = object_store_for(uri, self._settings)
        return await store.fetch(uri, dest)


def _single_file(folder: Path, uri: str) -> Path:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in REFERENCE_SUFFIXES)
    if len(files) != 1:
        raise ArtifactError(f"reference data {uri} must be one .npy or .csv file (found {len(files)})")
    return files[0]


def load_reference(path: Path) -> Array:
    """The rows of a .npy array or a .csv of numbers (a first row that is not numbers is a header), 2-D float."""
    what = "a .npy array of numbers" if path.suffix.lower() == ".npy" else "a CSV of numbers (one optional header row)"
    try:
        loaded = np.load(path, allow_pickle=False) if path.suffix.lower() == ".npy" else _load_csv(path)
        data = np.asarray(loaded, dtype=np.float64)
    except (OSError, ValueError, TypeError):
        # Not the parser's message: it quotes the offending text, and the reason is shown on the detector's status.
        raise ArtifactError(f"reference data {path.name} is not {what}") from None
    if data.ndim == 1:
        data = data.reshape(-1, 1)
    if data.shape[0] < 2:
        raise ArtifactError(f"reference data {path.name} has {data.shape[0]} rows: at least 2 are needed")
    return data


def _load_csv(path: Path) -> Array:
    with path.open(encoding="utf-8") as handle:
        first = handle.readline()
    try:
        [float(value) for value in first.strip().split(",")]
        skip = 0
    except ValueError:
        skip = 1  # a header row
    return np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)
