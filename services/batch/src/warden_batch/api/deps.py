"""FastAPI dependencies of the batch jobs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_batch.service import BatchService
from warden_common.auth.actor import Actor
from warden_common.service_app import app_state


def _service(request: Request) -> BatchService:
    service: BatchService = app_state(request, "batch", "batch jobs are")
    return service


Service = Annotated[BatchService, Depends(_service)]

__all__ = ["Actor", "Service"]
