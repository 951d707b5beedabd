"""The detectors of `warden demo`: what the seed's outlier walkthrough (§5.1.6) points its storage URI at, built
from the digits reference that `warden_serving.demo` writes (`<demo>/reference/digits.npy`, 64 pixels a row).

`digits-outlier-detector`: an alibi-detect IForest fitted on that reference, its threshold at the 99th percentile
of the reference's scores, saved as alibi-detect saves it. Create it on a digits deployment with
`{"name": "digits-outlier", "config": {"basic": {"storage_uri": "<its URI>"}}}`: heavily perturbed digits (half
their pixels replaced by noise) are flagged, clean ones mostly are not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from warden_detectors.outlier.saved import save_numpy_detector

SEED = 0
"""The forest is grown from this seed, so every `warden demo` builds the same detector."""
THRESHOLD_PERCENTILE = 99.0


def build_demo_detectors(demo_dir: Path) -> dict[str, str]:
    """Fit and save the demo detectors under `demo_dir`; name -> `file://` URI of each (blocking)."""
    from alibi_detect.od import IForest

    reference = np.load(demo_dir / "reference" / "digits.npy")
    detector = IForest(n_estimators=100)
    detector.isolationforest.set_params(random_state=SEED)  # alibi-detect's IForest takes no random_state itself
    detector.fit(reference)
    detector.infer_threshold(reference, threshold_perc=THRESHOLD_PERCENTILE)
    target = demo_dir / "digits-outlier-detector"
    save_numpy_detector(detector, target)
    return {"digits-outlier-detector": target.as_uri()}
