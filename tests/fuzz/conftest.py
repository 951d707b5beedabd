"""Fixtures of the fuzz suite: one real `warden up` for every document, and a closing report of what ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from warden_common.testing.processes import processes_using, running_warden_up

READY_WITHIN_S = 60  # generous: CI runs this beside the other servers
FUZZ_RESULTS = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def warden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a `warden up` on a fresh $WARDEN_HOME, shared by every document (the fuzzing is read-mostly)."""
    home = tmp_path_factory.mktemp("wh")  # short: the embedded server's Unix socket path must stay under 108 bytes
    try:
        with running_warden_up(home, ready_within_s=READY_WITHIN_S) as base:
            yield base
    finally:
        for leftover in processes_using(home):  # never leave a server behind, even when a test failed
            leftover.kill()


@pytest.fixture
def fuzz_results(request: pytest.FixtureRequest) -> list[str]:
    """Lines for the closing report: each document's operations and generated cases."""
    return request.config.stash.setdefault(FUZZ_RESULTS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(FUZZ_RESULTS, [])
    if lines:
        terminalreporter.section("API fuzzing (schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)
