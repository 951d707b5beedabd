"""The metadata service's errors: what a client did wrong, in the platform's error shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warden_common.errors import Conflict, NotFound
from warden_metadata.wire import model_json


class ModelConflict(Conflict):
    """409: the write would break a uniqueness rule; names the clashing model."""

    code = "model_conflict"

    def __init__(self, rule: str, attempted: Mapping[str, Any], existing: Mapping[str, Any] | None) -> None:
        clash = model_json(existing) if existing is not None else None
        if rule == "uri":
            message = f"a model with URI {attempted['uri']!r} is already registered"
            field = "URI"
        else:
            message = f"a model named {attempted['name']!r} with version {attempted['version']!r} is already registered"
            field = "name,version"
        if clash is not None:
            message += f" (URI {clash['URI']!r}, project {clash['project']!r})"
        super().__init__(message, details={"field": field, "existing": clash})


class ModelNotFound(NotFound):
    code = "model_not_found"

    def __init__(self, uri: str, project: str | None = None) -> None:
        where = f" in project {project!r}" if project else ""
        super().__init__(f"no model with URI {uri!r}{where}", details={"field": "URI"})
