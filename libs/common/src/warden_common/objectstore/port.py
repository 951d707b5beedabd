"""What every object-store adapter promises, and the settings they share."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field, SecretStr

from warden_common.errors import BadRequest, NotFound, ServiceUnavailable


class ObjectNotFound(NotFound):
    code = "object_not_found"


class UnsupportedUri(BadRequest):
    code = "unsupported_uri"


class ObjectStoreUnavailable(ServiceUnavailable):
    """The store could not be read: no credentials configured, refused access, unreachable endpoint. The message
    names the URI and the cause; the request may succeed once the store (or its settings) is fixed."""

    code = "object_store_unavailable"


class ObjectStoreSettings(BaseModel):
    """How to reach S3 (or an S3-compatible store such as MinIO or moto). Unset keys fall back to boto3's chain."""

    endpoint_url: str | None = Field(None, description="S3 endpoint, e.g. http://127.0.0.1:5555; None means AWS.")
    region: str = Field("us-east-1")
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None


@runtime_checkable
class ObjectStore(Protocol):
    """A place model artefacts are read from (and, for tests and demos, written to)."""

    def handles(self, uri: str) -> bool:
        """True if this adapter understands `uri`'s scheme."""
        ...

    async def fetch(self, uri: str, dest: Path) -> Path:
        """Copy the object or folder at `uri` into the directory `dest` (created); return the folder holding it.

        A folder URI copies every object below it keeping relative paths; a single object lands as `dest/<name>`.
        `ObjectNotFound` if nothing is there.
        """
        ...

    async def put_file(self, source: Path, uri: str) -> None:
        """Store the local file `source` at `uri`."""
        ...
