"""The README's two set-up commands are what a newcomer runs, and CI must run the same test command, so that a
missing install step fails CI instead of a newcomer's first try."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    """The commands of the README's first code block (comments dropped)."""
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "the README starts with a bash block of set-up commands"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]


def _ci_commands() -> list[str]:
    lines = (ROOT / ".ci/run").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_readme_starts_with_exactly_the_start_and_test_commands() -> None:
    assert _readme_commands() == ["scripts/up", "scripts/test"]
    for script in _readme_commands():
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is executable"


def test_ci_runs_the_readme_test_command_with_no_install_step_before_it() -> None:
    commands = _ci_commands()
    test_command = _readme_commands()[1]
    runs = [i for i, line in enumerate(commands) if line.split("||")[0].strip() == test_command]
    assert len(runs) == 1, f".ci/run runs `{test_command}` once: {commands}"
    before = commands[: runs[0]]
    # Only shell set-up may come first: anything installing or starting servers belongs in the README's command.
    assert all(re.match(r"^(set |cd |status=|#!)", line) for line in before), before
