"""FastAPI dependencies of the metadata API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from warden_common.auth.principal import decode_actor
from warden_common.service_app import state_dependency
from warden_metadata.service import MetadataService

Service = Annotated[MetadataService, Depends(state_dependency(MetadataService, "metadata", "the model catalog is"))]


def _actor(
    x_warden_user: Annotated[
        str | None,
        Header(
            description="The acting user when auth is off (percent-encoded UTF-8); with auth on the gateway "
            "replaces it with the token's user."
        ),
    ] = None,
) -> str | None:
    return decode_actor(x_warden_user)


Actor = Annotated[str | None, Depends(_actor)]
"""Who is changing the catalog: recorded on its events and rows."""
