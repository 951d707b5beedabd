"""Entry point of the gitops-sync service: `create_app` is what `warden serve gitops-sync` and `warden up` run."""

from fastapi import FastAPI

from warden_common.platform import Platform
from warden_common.service_app import create_service_app
from warden_gitops_sync.settings import GitopsSyncSettings


def create_app(settings: GitopsSyncSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app(
        "gitops-sync", settings=settings or GitopsSyncSettings(), platform=platform, skeleton=True
    )
