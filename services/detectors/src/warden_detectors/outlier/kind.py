"""The outlier detector kind: reads requests, replies `io.seldon.serving.inference.outlier` per request."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

from warden_common.events import KSERVE_OUTLIER, SELDON_OUTLIER
from warden_detectors.configs.model import DetectorKey, StoredDetector
from warden_detectors.outlier import metrics
from warden_detectors.outlier.detector import OutlierDetector
from warden_detectors.outlier.fitted import fit_detector
from warden_detectors.outlier.saved import load_saved_detector
from warden_detectors.outlier.spec import OutlierSpec
from warden_detectors.runtime.kinds import BuildInputs, LiveDetector


class OutlierKind:
    name: Literal["outlier"] = "outlier"
    reads: Literal["requests"] = "requests"
    reply_types = (SELDON_OUTLIER, KSERVE_OUTLIER)

    def __init__(self, *, max_rows: int) -> None:
        self._max_rows = max_rows

    def validate(self, basic: Mapping[str, Any]) -> None:
        OutlierSpec.from_config(basic)

    async def build(self, detector: StoredDetector, inputs: BuildInputs) -> LiveDetector:
        spec = OutlierSpec.from_config(detector.basic)
        if inputs.artifact_dir is not None:
            loaded = await asyncio.to_thread(load_saved_detector, inputs.artifact_dir)
        elif inputs.reference is not None:
            loaded = await asyncio.to_thread(fit_detector, spec, inputs.reference)
        else:  # validated on create: one of the two is always there
            raise ValueError("an outlier detector needs storage_uri or reference_uri")
        if getattr(loaded, "threshold", 0) is None:
            raise ValueError("the saved detector has no threshold (alibi-detect's infer_threshold was never run)")
        return OutlierDetector(detector, loaded, max_rows=self._max_rows)

    async def forget(self, key: DetectorKey) -> None:
        """Outlier scores are not stored here (the request log keeps them): only the gauges go."""
        self.drop_series(key)

    def drop_series(self, key: DetectorKey) -> None:
        metrics.forget(namespace=key.deployment.namespace, deployment=key.deployment.name, detector=key.name)
