"""FastAPI dependencies of the metadata API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from warden_common.auth.actor import Actor
from warden_common.service_app import state_dependency
from warden_metadata.service import MetadataService

Service = Annotated[MetadataService, Depends(state_dependency(MetadataService, "metadata", "the model catalog is"))]

__all__ = ["Actor", "Service"]
