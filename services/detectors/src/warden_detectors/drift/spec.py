"""What a drift detector is configured with: `DriftSpec.from_config(config.basic)`.

The SDK's DetectorData carries `drift_batch_size` (a string on its wire) and `drift_type_feature` under
`config.basic`; Warden adds `algorithm`, `p_val`, `correction`, `window_seconds`, `min_window_rows`,
`categories_per_feature` and `feature_names` there. Other keys of `basic` (`storage_uri`, `reference_uri`,
`env_secret_ref`, outlier settings...) belong to det-core's config model and are not read here.

Reference data (from `reference_uri`) or a saved alibi-detect detector (from `storage_uri`) are loaded by the
runtime and handed to `DriftMonitor`; the spec only says how to test. `algorithm`, `p_val`, `correction` and
`categories_per_feature` shape a detector fitted from reference data; a saved detector keeps the test, level and
correction it was saved with (the windows, `drift_type_feature` and `feature_names` apply to both).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warden_common.errors import Unprocessable

Algorithm = Literal["ks", "tabular", "chisquare", "cvm", "mmd"]
Correction = Literal["bonferroni", "fdr"]

_CATEGORICAL_ALGORITHMS = ("tabular", "chisquare")
CategoryValues = int | list[int] | None
"""Per categorical feature: its number of categories (codes 0..n-1), its codes, or None (read from the reference)."""


class DriftSpec(BaseModel):
    """How one drift detector tests its windows (all fields optional on the wire; defaults below)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: Algorithm = Field(
        "ks",
        description="ks (Kolmogorov-Smirnov per feature), tabular (KS for numeric, chi-square for categorical "
        "features), chisquare (categorical features), cvm (Cramér-von Mises per feature), mmd (maximum mean "
        "discrepancy over all features; needs PyTorch)",
    )
    p_val: float = Field(0.05, gt=0.0, lt=1.0, description="Significance level of the tests")
    correction: Correction = Field(
        "bonferroni", description="How per-feature p-values make one answer per window (bonferroni or fdr)"
    )
    drift_batch_size: int | None = Field(None, ge=2, description="Count window: test every this many rows")
    window_seconds: float | None = Field(
        None, gt=0.0, description="Time window: test the rows of every window of this length (UTC, epoch-aligned)"
    )
    min_window_rows: int = Field(
        2, ge=2, description="A window closed on time with fewer rows than this is reported as skipped, not tested"
    )
    drift_type_feature: bool = Field(
        False, description="Feature-wise answers (one is_drift per feature) instead of one answer per window"
    )
    categories_per_feature: dict[int | str, CategoryValues] | None = Field(
        None,
        description="Categorical features (tabular, chisquare): column index or feature name -> number of "
        "categories, list of category codes, or null to read them from the reference data",
    )
    feature_names: list[str] | None = Field(None, description="Column names, for per-feature results")

    @model_validator(mode="after")
    def _consistent(self) -> DriftSpec:
        if self.drift_batch_size is None and self.window_seconds is None:
            raise ValueError("set drift_batch_size (a count window), window_seconds (a time window), or both")
        if self.drift_batch_size is not None and self.drift_batch_size < self.min_window_rows:
            raise ValueError(
                f"drift_batch_size ({self.drift_batch_size}) is below min_window_rows ({self.min_window_rows})"
            )
        if self.algorithm == "mmd":
            if importlib.util.find_spec("torch") is None:
                raise ValueError(
                    "algorithm 'mmd' needs PyTorch (the `torch` package), which is not installed in the detectors "
                    "service: install torch, or use ks, tabular, chisquare or cvm"
                )
            if self.drift_type_feature:
                raise ValueError("algorithm 'mmd' tests all features together: it has no feature-wise answers")
        if self.categories_per_feature is not None and self.algorithm not in _CATEGORICAL_ALGORITHMS:
            raise ValueError(f"categories_per_feature applies to tabular and chisquare, not {self.algorithm}")
        if self.algorithm == "tabular" and not self.categories_per_feature:
            raise ValueError("algorithm 'tabular' needs categories_per_feature to say which features are categorical")
        if self.feature_names is not None and len(set(self.feature_names)) != len(self.feature_names):
            raise ValueError("feature_names has duplicates")
        self.category_columns()  # names must resolve
        return self

    def category_columns(self) -> dict[int, CategoryValues] | None:
        """`categories_per_feature` keyed by column index (names resolved through `feature_names`)."""
        if self.categories_per_feature is None:
            return None
        names = {name: i for i, name in enumerate(self.feature_names or [])}
        columns: dict[int, CategoryValues] = {}
        for key, values in self.categories_per_feature.items():
            if isinstance(key, int) or key.isdigit():
                columns[int(key)] = values
            elif key in names:
                columns[names[key]] = values
            else:
                raise ValueError(
                    f"categories_per_feature key {key!r} is neither a column index nor one of feature_names"
                )
        return columns

    @classmethod
    def from_config(cls, basic: Mapping[str, Any]) -> DriftSpec:
        """The drift settings of a DetectorData's `config.basic`; `Unprocessable` naming each bad field."""
        known = {key: value for key, value in basic.items() if key in cls.model_fields and value is not None}
        if isinstance(known.get("drift_batch_size"), str) and not known["drift_batch_size"].strip():
            del known["drift_batch_size"]  # the SDK sends an empty string for "not set"
        try:
            return cls.model_validate(known)
        except ValidationError as exc:
            raise invalid_config(exc) from None


def _where(loc: Sequence[int | str]) -> str:
    return ".".join(["config", "basic", *(str(part) for part in loc)])


def invalid_config(exc: ValidationError) -> Unprocessable:
    details = [{"field": _where(err["loc"]), "message": err["msg"]} for err in exc.errors()]
    where = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return Unprocessable(f"invalid drift detector config: {where}", details=details)
