"""The array type detectors exchange (numpy 1.26's generic ndarray, spelled once)."""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
"""Rows of instances (batch first) or scores."""
