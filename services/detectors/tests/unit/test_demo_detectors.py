"""`warden demo`'s saved digits outlier detector: the service loads it back as it loads any saved IForest, every
build is the same forest, and it tells perturbed digits from clean ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from warden_detectors.demo import build_demo_detectors
from warden_detectors.outlier.saved import load_saved_detector


def test_the_demo_digits_detector_loads_is_reproducible_and_flags_perturbed_digits(tmp_path: Path) -> None:
    digits = load_digits().data
    scores = []
    for build in ("a", "b"):
        demo = tmp_path / build
        (demo / "reference").mkdir(parents=True)
        np.save(demo / "reference" / "digits.npy", digits[:500])  # what `warden_serving.demo` writes
        uris = build_demo_detectors(demo)
        assert uris == {"digits-outlier-detector": (demo / "digits-outlier-detector").as_uri()}
        detector = load_saved_detector(demo / "digits-outlier-detector")
        assert detector.meta["name"] == "IForest" and detector.threshold is not None
        clean = digits[1000:1100]
        rng = np.random.default_rng(6)
        perturbed = np.where(rng.random(clean.shape) < 0.5, rng.integers(0, 17, clean.shape), clean)
        flags = {name: detector.predict(rows)["data"]["is_outlier"].sum() for name, rows in
                 (("clean", clean), ("perturbed", perturbed))}  # fmt: skip
        assert flags["perturbed"] >= 90 and flags["clean"] <= 20, flags
        scores.append(detector.score(clean))
    np.testing.assert_array_equal(*scores)  # seeded: every `warden demo` builds the same detector
