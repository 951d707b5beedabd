"""Deployment objects <-> the YAML files of the repository (`<namespace>/<name>.yaml`)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from warden_common.errors import Unprocessable

KINDS = ("SeldonDeployment", "InferenceService")
_HASH = re.compile(r"[0-9a-f]{4,64}")


def file_of(namespace: str, name: str) -> str:
    return f"{namespace}/{name}.yaml"


def to_yaml(obj: dict[str, Any]) -> str:
    """Stable text (sorted keys, block style): diffs show what changed, not the order a client sent keys in."""
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True)


def from_yaml(text: str, where: str) -> dict[str, Any]:
    """The deployment object in `text`; `Unprocessable` naming `where` when it is not one."""
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Unprocessable(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(obj, dict) or obj.get("kind") not in KINDS:
        raise Unprocessable(f"{where} does not hold a SeldonDeployment or InferenceService object")
    return obj


def check_hash(value: str | None) -> str:
    """A commit hash as given in `?hash=` (4-64 hex digits); `Unprocessable` otherwise."""
    if value is None or not _HASH.fullmatch(value.strip().lower()):
        raise Unprocessable(
            "query parameter 'hash' must be a git commit hash (4 to 64 hexadecimal digits), as `gitlogs` lists them",
            details=[{"path": "query.hash", "message": f"got {value!r}"}],
        )
    return value.strip().lower()
