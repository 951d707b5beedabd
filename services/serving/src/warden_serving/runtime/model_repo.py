"""Lay out a model folder MLServer can start from: the artefacts from the model URI plus the settings files.

Before anything starts, the folder is checked against the server: MLServer's sklearn and xgboost runtimes look for
their own file names only, and on a folder without one fail with `IsADirectoryError` (or worse, exit 0).

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

from warden_common.errors import Unprocessable
from warden_common.model_servers import server_for_artifacts
from warden_common.objectstore import ObjectStoreSettings, object_store_for
from warden_serving.specs import PredictorPlan

_LISTED_FILES = 8

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
    await asyncio.to_thread(check_artifacts, plan, target)
    await asyncio.to_thread(_write_settings, plan, target)
    return target


class ModelServerMismatch(Unprocessable):
    code = "model_server_mismatch"


def check_artifacts(plan: PredictorPlan, folder: Path) -> None:
    """`ModelServerMismatch` if `folder` lacks the model file `plan`'s server loads, naming what is there instead."""
    server = plan.server
    if server is None:  # a custom model knows its own files
        return
    names = {entry.name for entry in folder.iterdir() if entry.is_file()}
    if names.intersection(server.artifact_names):
        return
    expected = ", ".join(server.artifact_names[:-1]) + f" or {server.artifact_names[-1]}"
    shown = sorted(names)[:_LISTED_FILES]
    found = ", ".join(shown) + (f" (and {len(names) - len(shown)} more)" if len(names) > len(shown) else "")
    other = server_for_artifacts(names)
    hint = f" (an {other.implementation} model?)" if other else ""
    raise ModelServerMismatch(
        f"{plan.implementation} expects {expected} in {plan.model_uri}; found {found or 'no files'}{hint}"
    )


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
