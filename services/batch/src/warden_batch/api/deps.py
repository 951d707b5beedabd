"""FastAPI dependencies of the batch jobs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_batch.service import BatchService
from warden_common.errors import ServiceUnavailable


def _service(request: Request) -> BatchService:
    service: BatchService | None = getattr(request.app.state, "batch", None)
    if service is None:
        raise ServiceUnavailable("the batch service is starting")
    return service


Service = Annotated[BatchService, Depends(_service)]
