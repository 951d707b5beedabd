"""The FastAPI dependency a service behind the gateway reads its acting user with (`ACTOR_HEADER`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from warden_common.auth.principal import decode_actor


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
"""Who is acting: the signed-in user the gateway passes on (None when nobody is named)."""
