"""Entry point of the detectors service: `create_app` is what `warden serve detectors` and `warden up` run."""

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_detectors.feedback import routes as feedback_routes
from warden_detectors.settings import DetectorsSettings


def create_app(settings: DetectorsSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app(
        "detectors",
        settings=settings or DetectorsSettings(),
        platform=platform,
        routers=[feedback_routes.router],
        skeleton=True,
    )
