"""A live outlier detector: scores the instances of many requests in one call, replies per request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np

from warden_detectors.configs.model import StoredDetector
from warden_detectors.outlier import metrics
from warden_detectors.runtime.arrays import Array
from warden_detectors.runtime.kinds import DetectorInput, InputRejected, Outcome

_META_FIELDS = ("name", "detector_type", "data_type", "version")


class OutlierDetector:
    def __init__(self, stored: StoredDetector, detector: Any, *, max_rows: int) -> None:
        self._stored = stored
        self._detector = detector
        self._max_rows = max_rows
        meta = getattr(detector, "meta", {}) or {}
        self._meta = {key: meta.get(key) for key in _META_FIELDS if meta.get(key) is not None}
        self._features = _expected_features(detector)

    async def tick(self, now: Any) -> list[Outcome]:
        return []

    async def handle(self, inputs: Sequence[DetectorInput]) -> list[Outcome]:
        # Requests of one batch are scored together when their rows have the same shape (one detector call);
        # a shape the detector cannot score rejects those requests only.
        groups: dict[tuple[int, ...], list[int]] = {}
        rejected: dict[int, str] = {}
        for i, item in enumerate(inputs):
            if item.rows is None:
                rejected[i] = "no instances"
                continue
            shape = tuple(item.rows.shape[1:])
            if self._features is not None and int(np.prod(shape)) != self._features:
                rejected[i] = f"instances have {int(np.prod(shape))} features, the detector expects {self._features}"
                continue
            groups.setdefault(shape, []).append(i)
        scored: dict[int, tuple[Array, Array]] = {}
        for members in groups.values():
            try:
                flags, scores = await asyncio.to_thread(self._score, [inputs[i].rows for i in members])
            except ValueError as exc:  # sklearn/alibi refusing the input (shape, NaN, ...)
                rejected.update({i: f"cannot score: {exc}" for i in members})
                continue
            start = 0
            for i in members:
                rows = inputs[i].rows
                assert rows is not None
                scored[i] = flags[start : start + len(rows)], scores[start : start + len(rows)]
                start += len(rows)
        outcomes = [self._outcome(inputs[i], *scored[i]) for i in sorted(scored)]
        if rejected:
            raise InputRejected(outcomes, rejected)
        return outcomes

    def _score(self, parts: list[Array | None]) -> tuple[Array, Array]:
        """Outlier flags and instance scores of every row of `parts`, in order (blocking)."""
        matrix = np.concatenate([p for p in parts if p is not None])
        flags, scores = [], []
        for start in range(0, len(matrix), self._max_rows):
            chunk = matrix[start : start + self._max_rows]
            if self._features is not None:
                chunk = chunk.reshape(len(chunk), -1)
            answer = self._detector.predict(chunk, return_instance_score=True)
            flags.append(np.asarray(answer["data"]["is_outlier"]).reshape(-1))
            scores.append(np.asarray(answer["data"]["instance_score"], dtype=np.float64).reshape(-1))
        return np.concatenate(flags), np.concatenate(scores)

    def _outcome(self, item: DetectorInput, flags: Array, scores: Array) -> Outcome:
        is_outlier = [int(flag) for flag in flags]
        instance_score = [float(score) for score in scores]
        key = self._stored.key
        endpoint = str(item.event.get_extension("endpoint") or "default")
        labels = (key.deployment.namespace, key.deployment.name, endpoint, key.name)
        metrics.record(labels, is_outlier[-1], instance_score[-1])
        data = {"data": {"is_outlier": is_outlier, "instance_score": instance_score, "feature_score": None},
                "meta": self._meta}  # fmt: skip
        return Outcome(data, item.event, rows=len(is_outlier))


def _expected_features(detector: Any) -> int | None:
    """How many features a row must have, when the detector knows (a fitted IForest; Mahalanobis once it has seen
    data); None when only scoring can tell."""
    forest = getattr(detector, "isolationforest", None)
    count = getattr(forest, "n_features_in_", None)
    if count is None:
        mean = getattr(detector, "mean", None)
        count = mean.shape[-1] if isinstance(mean, np.ndarray) and mean.ndim == 1 else None
    return int(count) if count is not None else None
