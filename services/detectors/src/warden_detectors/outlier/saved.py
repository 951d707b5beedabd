"""Saved alibi-detect outlier detectors, read from a local copy of their folder.

alibi-detect 0.13 saves IForest and Mahalanobis in its legacy format (`meta.dill` + `<Name>.dill`) and its
loader for that format sits behind the TensorFlow extra, which this service does not install (numpy/sklearn
backends only). Those two numpy detectors are rebuilt here from their saved state the way alibi-detect's own
loader does; every other saved detector (a `config.toml`) goes through `alibi_detect.saving.load_detector`.
Like alibi-detect's loader, this unpickles the artifact: storage URIs must point at artifacts you trust.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NUMPY_LEGACY = ("IForest", "Mahalanobis")


class SavedDetectorError(ValueError):
    """The folder holds no detector this service can load, and why."""


def detector_root(folder: Path) -> Path:
    """The folder holding the detector files: `folder` itself, or its one subfolder that holds them."""
    for candidate in (folder, *sorted(p for p in folder.rglob("*") if p.is_dir())):
        names = {p.name for p in candidate.iterdir() if p.is_file()}
        if names & {"config.toml", "meta.dill", "meta.pickle"}:
            return candidate
    raise SavedDetectorError("no saved alibi-detect detector there (no config.toml, meta.dill or meta.pickle)")


def load_saved_detector(folder: Path) -> Any:
    """The detector saved under `folder` (blocking: imports alibi-detect, reads files)."""
    root = detector_root(folder)
    for suffix in (".dill", ".pickle"):
        if (root / f"meta{suffix}").is_file():
            return _load_legacy(root, suffix)
    from alibi_detect.saving import load_detector

    return load_detector(root)


def _load_legacy(root: Path, suffix: str) -> Any:
    import dill

    with (root / f"meta{suffix}").open("rb") as handle:
        meta = dill.load(handle)
    name = meta.get("name") if isinstance(meta, dict) else None
    if name not in NUMPY_LEGACY:
        raise SavedDetectorError(
            f"saved detector {name!r} needs alibi-detect's TensorFlow backend, which Warden does not install; "
            f"it loads {', '.join(NUMPY_LEGACY)} (legacy format) and config.toml detectors"
        )
    with (root / f"{name}{suffix}").open("rb") as handle:
        state = dill.load(handle)
    from alibi_detect.od import IForest, Mahalanobis

    if name == "IForest":
        detector: Any = IForest(threshold=state["threshold"])
        detector.isolationforest = state["isolationforest"]
        return detector
    detector = Mahalanobis(
        threshold=state["threshold"], n_components=state["n_components"], std_clip=state["std_clip"],
        start_clip=state["start_clip"], max_n=state["max_n"], cat_vars=state["cat_vars"], ohe=state["ohe"],
    )  # fmt: skip
    for attribute in ("d_abs", "clip", "mean", "C", "n"):
        setattr(detector, attribute, state[attribute])
    return detector


def save_numpy_detector(detector: Any, folder: Path) -> None:
    """Save a fitted IForest or Mahalanobis as alibi-detect 0.13's `save_detector` would (its legacy format,
    `meta.dill` + `<Name>.dill`), without the TensorFlow backend its saver imports; `load_saved_detector` and
    alibi-detect's own loader read it back (blocking)."""
    import dill

    name = detector.meta.get("name")
    if name == "IForest":
        state = {"threshold": detector.threshold, "isolationforest": detector.isolationforest}
    elif name == "Mahalanobis":
        state = {key: getattr(detector, key) for key in ("threshold", "n_components", "std_clip", "start_clip",
                                                         "max_n", "cat_vars", "ohe", "d_abs", "clip", "mean", "C",
                                                         "n")}  # fmt: skip
    else:
        raise SavedDetectorError(f"only {', '.join(NUMPY_LEGACY)} are saved here, not {name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.dill").write_bytes(dill.dumps(detector.meta))
    (folder / f"{name}.dill").write_bytes(dill.dumps(state))
