"""Fixtures of the end-to-end tests: a real `warden up` and the official SDK in its own venv."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from warden_common.testing.auth import TEST_ADMIN, TEST_ADMIN_PASSWORD, bearer_headers
from warden_common.testing.processes import processes_using, running_warden_up, warden_executable

REPO = Path(__file__).resolve().parents[2]
READY_WITHIN_S = 60  # generous: CI runs these beside other servers; the 30 s start bound is test_standalone_up's


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    """The interpreter of `.infra/sdk-venv` with seldon-deploy-sdk 1.6 (its pins must never meet ours)."""
    done = subprocess.run([str(REPO / "scripts" / "sdk-venv")], capture_output=True, text=True, check=True, timeout=600)
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def warden_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "wh"  # short: the embedded server's Unix socket path must stay under 108 bytes
    yield home
    for leftover in processes_using(home):  # never leave a server behind, even when the test failed
        leftover.kill()


@pytest.fixture
def warden(warden_home: Path) -> Iterator[str]:
    """Base URL of a `warden up` running on `warden_home` with auth on (the default) and `TEST_ADMIN` as its
    first administrator, stopped with Ctrl-C afterwards."""
    with running_warden_up(warden_home, ready_within_s=READY_WITHIN_S) as base:
        yield base


@pytest.fixture
def admin_credentials() -> tuple[str, str]:
    """(user, password) of the first administrator every e2e `warden up` creates: what the SDK signs in with."""
    return TEST_ADMIN, TEST_ADMIN_PASSWORD


def run_warden_demo(home: Path) -> dict[str, str]:
    """`warden demo` as the README runs it: name -> URI of the models (and detectors) it builds under `home`."""
    demo = subprocess.run(
        [str(warden_executable()), "demo"],
        env={**os.environ, "WARDEN_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return dict(line.split("\t") for line in demo.stdout.strip().splitlines() if "\t" in line)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`warden demo` run once per session (training is the slow part of most e2e setups; the models are only read)."""
    return run_warden_demo(tmp_path_factory.mktemp("demo") / "wh")


@pytest.fixture
def demo_models(demo_build: dict[str, str]) -> dict[str, str]:
    """`warden demo` as the README runs it: name -> URI of the models (and detectors) it builds."""
    return dict(demo_build)


@dataclass(frozen=True)
class SharedWarden:
    """One `warden up` (auth on) shared by the tests of a module, with `warden demo`'s models built for it."""

    base: str
    headers: dict[str, str]
    models: dict[str, str]


@pytest.fixture(scope="module")
def module_warden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `warden`, started once per module: for modules whose tests leave nothing the others rely on (each
    `warden up` costs ~10 s of two cores). A module opts in by overriding `warden` with it."""
    home = tmp_path_factory.mktemp("mw") / "wh"  # short: the embedded server's Unix socket path
    try:
        with running_warden_up(home, ready_within_s=READY_WITHIN_S) as base:
            yield base
    finally:
        for leftover in processes_using(home):
            leftover.kill()


@pytest.fixture(scope="module")
def shared_warden(module_warden: str, demo_build: dict[str, str]) -> SharedWarden:
    """Like `warden` + `demo_models` + `api_headers`, started once per module (for modules whose tests each set
    up their own deployments and detectors on it)."""
    return SharedWarden(module_warden, bearer_headers(module_warden), dict(demo_build))


@pytest.fixture
def api_headers(warden: str) -> dict[str, str]:
    """Headers every API and data-plane call of an e2e test sends to `warden`: the first administrator's bearer
    token, from the token endpoint of the discovery document (password grant, client id `warden`)."""
    return bearer_headers(warden)
