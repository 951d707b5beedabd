"""FastAPI dependencies of the metadata API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_common.errors import ServiceUnavailable
from warden_metadata.service import MetadataService


def _service(request: Request) -> MetadataService:
    service: MetadataService | None = getattr(request.app.state, "metadata", None)
    if service is None:
        raise ServiceUnavailable("the metadata service is starting")
    return service


Service = Annotated[MetadataService, Depends(_service)]
