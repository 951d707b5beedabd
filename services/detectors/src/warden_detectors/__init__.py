"""Warden's outlier/drift detectors, metrics servers and explainers (alibi / alibi-detect, BSL-1.1)."""
