"""Explanations on a real PostgreSQL database and a real bus, the detectors app driven in-process over ASGI.

The model side is a stand-in serving app (the data plane's Seldon route, answered by scikit-learn models trained
here on the demo's own data generators): it records the headers of every call, and has a failing and a slow
deployment. The real MLServer path is covered end to end in tests/e2e/test_explanations.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from warden_common.bus.factory import create_bus
from warden_common.bus.port import Bus
from warden_common.objectstore import ObjectStoreSettings
from warden_common.platform import Platform
from warden_common.settings import BusSettings, RetryPolicy
from warden_detectors.explainers.settings import ExplainSettings
from warden_detectors.main import create_app
from warden_detectors.settings import DetectorsSettings
from warden_serving.demo.income_schema import prediction_schema
from warden_serving.demo.train import income_data, reviews

FAST_RETRY = RetryPolicy(max_attempts=2, initial_backoff_s=0.05, max_backoff_s=0.2)
Predict = Callable[[Any], Any]


def _models() -> dict[str, Predict]:
    schema = prediction_schema()
    categorical = [i for i, f in enumerate(schema["requests"]) if f["type"] == "CATEGORICAL"]
    numeric = [i for i, f in enumerate(schema["requests"]) if f["type"] != "CATEGORICAL"]
    encode = ColumnTransformer(
        [("c", OneHotEncoder(handle_unknown="ignore"), categorical), ("n", StandardScaler(), numeric)]
    )
    income = Pipeline([("e", encode), ("l", LogisticRegression(max_iter=2000))]).fit(*income_data(schema, 5000))
    texts, labels = reviews(2000)
    text = Pipeline([("t", TfidfVectorizer()), ("l", LogisticRegression(max_iter=1000))]).fit(texts, labels)
    digits = LogisticRegression(max_iter=3000).fit(*load_digits(return_X_y=True))
    return {
        "income": lambda rows: income.predict_proba(np.asarray(rows, dtype=float)),
        "text": lambda rows: text.predict_proba(np.asarray(rows).ravel()),
        "digits": digits.predict_proba,  # rows of 64 pixels, as the demo model serves them
    }


@dataclass
class StandIn:
    app: FastAPI
    calls: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture(scope="session")
def models() -> dict[str, Predict]:
    return _models()


@pytest.fixture
def serving(models: dict[str, Predict]) -> StandIn:
    app = FastAPI()
    stand_in = StandIn(app)

    @app.post("/seldon/{namespace}/{name}/api/v1.0/predictions")
    async def predict(namespace: str, name: str, request: Request) -> JSONResponse:
        stand_in.calls.append({"deployment": name, **{k.lower(): v for k, v in request.headers.items()}})
        if name == "slow":
            await asyncio.sleep(0.5)
            name = "income"
        if name not in models:
            body = {"code": 503, "reason": "no_predictor", "message": f"deployment {namespace}/{name} is not ready"}
            return JSONResponse(body, status_code=503)
        rows = (await request.json())["data"]["ndarray"]
        return JSONResponse({"data": {"names": ["t:0", "t:1"], "ndarray": models[name](rows).tolist()}})

    return stand_in


@dataclass
class Harness:
    client: httpx.AsyncClient
    bus: Bus
    serving: StandIn
    references: dict[str, str]


def patient(object_store: ObjectStoreSettings | None = None) -> ExplainSettings:
    """For tests that expect the explanation (or its error) in the answer: a first AnchorText build loads spaCy and
    took 20-24 s on a loaded 2-core machine. The 202 path has its own settings (test_explain_async)."""
    return ExplainSettings(answer_within_s=90, timeout_s=120, object_store=object_store or ObjectStoreSettings())


@pytest.fixture
def explain_settings() -> ExplainSettings:
    return patient()


@pytest.fixture
async def harness(
    fresh_database: str, serving: StandIn, tmp_path: Path, explain_settings: ExplainSettings
) -> AsyncIterator[Harness]:
    schema = prediction_schema()
    references = {"income": tmp_path / "income.npy"}
    np.save(references["income"], income_data(schema, 500, seed=1)[0])
    bus = create_bus(BusSettings(kind="postgres", postgres_dsn=SecretStr(fresh_database), retry=FAST_RETRY))
    await bus.start()
    try:
        platform = Platform(
            mode="standalone", bus=bus, database_dsn=fresh_database, local_apps={"serving": serving.app}
        )
        app = create_app(DetectorsSettings(), platform, explain_settings=explain_settings)  # the whole service
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://detectors", timeout=60) as client:
                yield Harness(client, bus, serving, {k: str(v) for k, v in references.items()})
    finally:
        await bus.close()
