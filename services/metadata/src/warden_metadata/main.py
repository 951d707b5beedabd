"""Entry point of the metadata service: `create_app` is what `warden serve metadata` and `warden up` run."""

from fastapi import FastAPI
from warden_common.platform import Platform
from warden_common.service_app import create_service_app

from warden_metadata.settings import MetadataSettings


def create_app(settings: MetadataSettings | None = None, platform: Platform | None = None) -> FastAPI:
    return create_service_app("metadata", settings=settings or MetadataSettings(), platform=platform)
