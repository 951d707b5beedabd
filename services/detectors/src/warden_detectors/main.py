"""Entry point of the detectors service: `create_app` is what `warden serve detectors` and `warden up` run."""

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_detectors.explainers import routes as explainer_routes
from warden_detectors.explainers.setup import explanations_setup
from warden_detectors.settings import DetectorsSettings


def create_app(settings: DetectorsSettings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or DetectorsSettings()
    # Still a skeleton on this branch: explanations work, the detectors themselves (det-core) are not merged yet;
    # compose and the Helm chart keep the service off until then.
    return create_service_app(
        "detectors", settings=settings, platform=platform, routers=[explainer_routes.router],
        setup=explanations_setup(settings), skeleton=True,
    )  # fmt: skip
