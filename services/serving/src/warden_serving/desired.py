"""The desired state the gateway asked for, kept on disk so a restarted serving service serves it again.

One JSON file per deployment: the latest spec (or a tombstone after a delete) and the time of the event that
set it. An event older than the stored one, or the same one again (at-least-once delivery), changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Desired:
    namespace: str
    name: str
    kind: str
    time: str
    spec: dict[str, Any] | None
    """None once deleted (a tombstone: a replayed older create must not bring it back)."""


class DesiredStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, namespace: str, name: str) -> Path:
        return self._root / namespace / f"{name}.json"

    def get(self, namespace: str, name: str) -> Desired | None:
        path = self._path(namespace, name)
        try:
            return Desired(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            logger.warning("ignoring unreadable desired state %s", path)
            return None

    def accept(self, new: Desired) -> bool:
        """Store `new` unless what is stored is newer or the same; True if the runtime should act on it."""
        current = self.get(new.namespace, new.name)
        if current is not None:
            if _parse(current.time) > _parse(new.time):
                return False
            if current.time == new.time and current.spec == new.spec and current.kind == new.kind:
                return False
        path = self._path(new.namespace, new.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(new.__dict__))
        os.replace(tmp, path)  # atomic: a crash leaves the old or the new state, never half of one
        return True

    def all_live(self) -> list[Desired]:
        found = []
        for path in sorted(self._root.glob("*/*.json")):
            desired = self.get(path.parent.name, path.stem)
            if desired is not None and desired.spec is not None:
                found.append(desired)
        return found


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)
