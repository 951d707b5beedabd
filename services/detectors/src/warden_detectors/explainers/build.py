"""alibi explainers built from an `ExplainerSpec` and explanations computed with them (runs in a worker thread).

alibi is imported here, inside the functions, never when the service starts: importing it takes seconds. Building
calls the model (alibi checks the predictor's output; KernelShap scores its background), so it happens in the
worker thread at the first explanation, when the deployment serves, not when the explainer is saved.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from warden_common.errors import BadRequest
from warden_common.explainers import ExplainerSpec


class InvalidInstance(BadRequest):
    code = "invalid_instance"


class Model(Protocol):
    """What alibi calls (`model.DataPlaneModel` in the service): a batch in, the model's outputs out."""

    deadline: float | None

    def __call__(self, batch: Any) -> np.ndarray[Any, Any]: ...


@dataclass(frozen=True)
class Columns:
    """How the columns of a tabular row are named, and which are categories (index -> labels by code)."""

    names: list[str] | None = None
    categories: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> Columns:
        """The request features of a prediction schema (protocols.md §7; the catalog answers it in camelCase):
        names, and the labels of CATEGORICAL features by code."""
        features = schema.get("requests") or []
        names = [str(f.get("name", f"feature_{i}")) for i, f in enumerate(features)]
        categories: dict[int, list[str]] = {}
        for i, feature in enumerate(features):
            mapping = feature.get("category_map", feature.get("categoryMap"))
            if feature.get("type") == "CATEGORICAL" and isinstance(mapping, dict) and mapping:
                codes = sorted(int(code) for code in mapping)
                categories[i] = [str(mapping.get(str(code), code)) for code in range(codes[-1] + 1)]
        return cls(names or None, categories)


def grid_segments(size: int) -> Any:
    """A segmentation for small images: square cells of `size` pixels (slic finds no useful regions in 8x8)."""

    def segment(image: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        rows, cols = np.indices(image.shape[:2])
        cells_per_row = -(-image.shape[1] // size)
        cells: np.ndarray[Any, Any] = (rows // size) * cells_per_row + cols // size
        return cells

    return segment


class BuiltExplainer:
    """One deployment's alibi explainer with its model; `explain` is serialised (alibi explainers are stateful)."""

    def __init__(self, spec: ExplainerSpec, model: Model, explainer: Any) -> None:
        self.spec = spec
        self.model = model
        self._explainer = explainer
        self._lock = threading.Lock()
        self.sent_shape: tuple[int, ...] | None = None
        """AnchorImage: the shape one row is sent to the model in (the images are reshaped back to it)."""

    def explain(self, row: Any, deadline: float | None) -> dict[str, Any]:
        """alibi's explanation of one row, as the JSON its `to_json` writes (`{"meta", "data"}`)."""
        kwargs = self.spec.explain_kwargs()
        if self.spec.type == "KernelShap":
            kwargs.setdefault("silent", True)  # no progress bar on the service's stderr
        with self._lock:
            self.model.deadline = deadline
            try:
                explanation = self._explainer.explain(self._instance(row), **kwargs)
            finally:
                self.model.deadline = None
        result: dict[str, Any] = json.loads(explanation.to_json())
        return result

    def _instance(self, row: Any) -> Any:
        kind = self.spec.type
        try:
            if kind == "AnchorText":
                text = row[0] if isinstance(row, list) and len(row) == 1 else row
                if not isinstance(text, str):
                    raise InvalidInstance(f"AnchorText explains a string; the instance is {type(text).__name__}")
                return text
            values = np.asarray(row, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidInstance(f"{kind} explains a row of numbers: {exc}") from exc
        if kind == "AnchorImage":
            self.sent_shape = values.shape
            shape = tuple(self._explainer.image_shape)
            if values.size != int(np.prod(shape)):
                raise InvalidInstance(f"the instance has {values.size} values; imageShape {list(shape)} needs so many")
            return values.reshape(shape)
        if values.ndim != 1:
            raise InvalidInstance(f"{kind} explains one flat row; the instance has shape {list(values.shape)}")
        return values[None, :] if kind == "KernelShap" else values


def build_explainer(
    spec: ExplainerSpec, model: Model, reference: np.ndarray[Any, Any] | None, columns: Columns,
    saved: Path | None,
) -> BuiltExplainer:  # fmt: skip
    """Load the saved explainer at `saved`, or fit a new one on `reference`; both call the model."""
    holder: list[BuiltExplainer] = []

    def predictor(batch: Any) -> np.ndarray[Any, Any]:
        if spec.type == "AnchorImage":  # images back to the shape rows are sent in: flat until one was explained
            sent = holder[0].sent_shape if holder and holder[0].sent_shape is not None else (-1,)
            batch = np.asarray(batch).reshape((len(batch), *sent))
        return model(batch)

    if saved is not None:
        from alibi.saving import load_explainer

        explainer = load_explainer(str(saved), predictor=predictor)
    else:
        explainer = _fit(spec, predictor, reference, columns)
    holder.append(BuiltExplainer(spec, model, explainer))
    return holder[0]


def _fit(spec: ExplainerSpec, predictor: Any, reference: np.ndarray[Any, Any] | None, columns: Columns) -> Any:
    if spec.type == "AnchorText":
        import spacy
        from alibi.explainers import AnchorText

        # A blank English pipeline only tokenises: no model download, so text explanations work offline.
        return AnchorText(predictor, sampling_strategy="unknown", nlp=spacy.blank("en"), seed=0)
    if spec.type == "AnchorImage":
        from alibi.explainers import AnchorImage

        shape = tuple(spec.image_shape or ())
        return AnchorImage(predictor, shape, segmentation_fn=grid_segments(spec.segment_size), seed=0)
    assert reference is not None  # the spec requires referenceUri when there is no saved explainer
    rows = np.asarray(reference, dtype=float)
    names = columns.names or [f"feature_{i}" for i in range(rows.shape[1])]
    if spec.type == "AnchorTabular":
        from alibi.explainers import AnchorTabular

        anchors = AnchorTabular(predictor, names, categorical_names=columns.categories, seed=0)
        anchors.fit(rows, disc_perc=(25, 50, 75))
        return anchors
    from alibi.explainers import KernelShap

    shap = KernelShap(predictor, feature_names=names, categorical_names=columns.categories, seed=0)
    shap.fit(rows[: spec.background_rows])
    return shap
