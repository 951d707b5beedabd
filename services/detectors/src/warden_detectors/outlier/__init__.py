"""Outlier detectors: alibi-detect's IForest / Mahalanobis fitted on reference data, or a saved detector."""
