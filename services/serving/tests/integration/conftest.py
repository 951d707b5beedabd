"""Fixtures: the demo models (trained once per session with the MLServer venv) and a running serving service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from warden_common.settings import BusSettings
from warden_serving.demo.build import build_demo_models

from .harness import Serving, run_serving


@pytest.fixture(scope="session")
def demo_models(mlserver_bin: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    models: dict[str, str] = build_demo_models(tmp_path_factory.mktemp("home"), mlserver_bin)
    return models


@pytest.fixture
def postgres_bus(fresh_database: str) -> BusSettings:
    return BusSettings(kind="postgres", postgres_dsn=fresh_database)


@pytest.fixture
async def serving(
    postgres_bus: BusSettings, mlserver_bin: str, tmp_path: Path, unique_name: str
) -> AsyncIterator[Serving]:
    async with run_serving(postgres_bus, mlserver_bin, tmp_path / "serving", unique_name) as running:
        yield running
