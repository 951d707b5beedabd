"""FastAPI dependencies of the detector configs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_common.errors import ServiceUnavailable
from warden_detectors.configs.service import DetectorConfigService


def _service(request: Request) -> DetectorConfigService:
    service: DetectorConfigService | None = getattr(request.app.state, "detector_configs", None)
    if service is None:
        raise ServiceUnavailable("the detectors service is starting")
    return service


Service = Annotated[DetectorConfigService, Depends(_service)]
