"""Build the demo models under `$WARDEN_HOME/demo/<model>/` with the MLServer venv's interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from warden_common.errors import WardenError
from warden_common.model_servers import BY_IMPLEMENTATION
from warden_serving.demo.income_schema import prediction_schema
from warden_serving.settings import ServingSettings

TRAIN_SCRIPT = Path(__file__).with_name("train.py")
MODELS = {
    "iris-sklearn": "SKLEARN_SERVER",
    "iris-xgboost": "XGBOOST_SERVER",
    "income-sklearn": "SKLEARN_SERVER",
    "digits-sklearn": "SKLEARN_SERVER",
    "text-sentiment": "SKLEARN_SERVER",
}
REFERENCES = ("income", "digits", "text")
"""Reference datasets (`reference/<name>.npy`, rows as the models are sent them) for detectors and explainers:
printed as `<name>-reference`. income: 12 numeric columns; digits: 64 pixel intensities; text: review strings."""


def demo_home(home: Path | None = None) -> Path:
    base = home or Path(os.environ.get("WARDEN_HOME", "~/.warden"))
    return base.expanduser().resolve() / "demo"


def build_demo_models(home: Path | None = None, mlserver_bin: str | None = None) -> dict[str, str]:
    """Train every demo model and return model name -> `file://` URI, then `<name>-reference` -> the URI of each
    reference dataset. Idempotent (models are rebuilt)."""
    target = demo_home(home)
    target.mkdir(parents=True, exist_ok=True)
    executable = mlserver_bin or ServingSettings().resolved_mlserver_bin()
    python = Path(executable).with_name("python")
    if not python.exists():
        raise WardenError(
            f"no MLServer venv interpreter at {python}: run `scripts/infra/mlserver install` "
            "or set WARDEN_SERVING_MLSERVER_BIN"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(prediction_schema(), fh)
        schema_path = fh.name
    try:
        result = subprocess.run(
            [str(python), str(TRAIN_SCRIPT), str(target), schema_path], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(schema_path)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise WardenError(f"training the demo models failed:\n{tail}")
    for name, implementation in MODELS.items():  # so `mlserver start <folder>` also serves it as is
        settings = {
            "name": name,
            "implementation": BY_IMPLEMENTATION[implementation].mlserver_class,
            "parameters": {"uri": "./"},
        }
        (target / name / "model-settings.json").write_text(json.dumps(settings, indent=2))
    uris = {name: (target / name).as_uri() for name in MODELS}
    uris.update({f"{name}-reference": (target / "reference" / f"{name}.npy").as_uri() for name in REFERENCES})
    return uris
