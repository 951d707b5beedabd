"""Lay out a model folder MLServer can start from: the artefacts from the model URI plus the settings files.

`settings.json` holds what every replica shares (loopback only, no metrics server, no worker pool: with
`parallel_workers: 0` inference runs in the server process, which also sidesteps uvloop's worker crash);
ports are per replica and come from the environment (MLSERVER_HTTP_PORT / MLSERVER_GRPC_PORT).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from warden_common.objectstore import ObjectStoreSettings, object_store_for
from warden_serving.specs import PredictorPlan

SERVER_SETTINGS: dict[str, Any] = {
    "host": "127.0.0.1",
    "parallel_workers": 0,
    "metrics_endpoint": None,
    "debug": False,
    "load_models_at_startup": True,
}


async def prepare_model_dir(plan: PredictorPlan, target: Path, store: ObjectStoreSettings) -> Path:
    """Fetch `plan.model_uri` into a fresh `target` and write `model-settings.json` and `settings.json` there."""
    await asyncio.to_thread(_fresh_dir, target)
    await object_store_for(plan.model_uri, store).fetch(plan.model_uri, target)
    await asyncio.to_thread(_write_settings, plan, target)
    return target


def _fresh_dir(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)


def _write_settings(plan: PredictorPlan, target: Path) -> None:
    (target / "model-settings.json").write_text(json.dumps(model_settings(plan), indent=2))
    (target / "settings.json").write_text(json.dumps(SERVER_SETTINGS, indent=2))


def model_settings(plan: PredictorPlan) -> dict[str, Any]:
    parameters: dict[str, Any] = {"uri": "./"}
    extra = {k: v for k, v in plan.parameters.items() if k != "method"}
    if extra:
        parameters["extra"] = extra
    return {"name": plan.model_name, "implementation": plan.mlserver_implementation, "parameters": parameters}
