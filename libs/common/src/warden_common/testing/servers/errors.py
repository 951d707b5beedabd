"""The one error the infra scripts raise: something a developer must fix (or read the server log for)."""

from __future__ import annotations


class InfraError(RuntimeError):
    """A server could not be installed, started, reached or stopped; the message says which and why."""
