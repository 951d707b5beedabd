"""FastAPI dependencies of the detector configs API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from warden_common.service_app import state_dependency
from warden_detectors.configs.service import DetectorConfigService

Service = Annotated[
    DetectorConfigService, Depends(state_dependency(DetectorConfigService, "detector_configs", "detector configs are"))
]
