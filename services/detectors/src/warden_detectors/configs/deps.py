"""FastAPI dependencies of the detector configs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warden_detectors.configs.service import DetectorConfigService
from warden_detectors.results_api import app_state


def _service(request: Request) -> DetectorConfigService:
    service: DetectorConfigService = app_state(request, "detector_configs", "detector configs are")
    return service


Service = Annotated[DetectorConfigService, Depends(_service)]
