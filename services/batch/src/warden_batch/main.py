"""Entry point of the batch service: `create_app` is what `warden serve batch` and `warden up` run."""

from fastapi import FastAPI

from warden_batch.settings import BatchSettings
from warden_common.platform import Platform
from warden_common.service_app import create_service_app


def create_app(settings: BatchSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app("batch", settings=settings or BatchSettings(), platform=platform, skeleton=True)
