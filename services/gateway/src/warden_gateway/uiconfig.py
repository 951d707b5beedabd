"""What the web UI needs to know before anyone signs in: how to sign in (the built-in provider's password form,
or an OIDC authorization-code + PKCE redirect) and the theme (product name, logo, palette). Served publicly at
`{API}/ui/config` (no data in it); set with `WARDEN_GATEWAY_UI__...`."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warden_common.api_docs import error_responses
from warden_common.auth.settings import AuthSettings
from warden_gateway.identity.issuer import PUBLIC_CLIENT_ID

UI_CONFIG_PATH = "/seldon-deploy/api/v1alpha1/ui/config"
LOGO_PATH = "/ui/theme/logo"
"""Where a configured logo file is served: under `/ui/`, public like the UI's shell (`authz.rules.is_ui_path`)."""
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
_COLOUR = r"^#[0-9a-fA-F]{6}$"


class ThemeSettings(BaseModel):
    """`WARDEN_GATEWAY_UI__THEME__...` (seed 7.11: logo and colours of the UI)."""

    model_config = ConfigDict(extra="forbid")

    product_name: str = Field("Warden", min_length=1, max_length=60, description="Shown in the app bar and title.")
    logo_url: str | None = Field(
        None,
        pattern=r"^(https?://|/)\S+$",
        description="An image shown left of the product name: an absolute http(s) URL or a path on this server.",
    )
    logo_file: Path | None = Field(
        None, description=f"A logo image file (png, jpeg, gif, webp, svg) this server serves at `{LOGO_PATH}`."
    )
    primary: str | None = Field(None, pattern=_COLOUR, description="Primary colour `#rrggbb` (app bar, buttons).")
    secondary: str | None = Field(None, pattern=_COLOUR, description="Secondary colour `#rrggbb`.")

    @field_validator("logo_file")
    @classmethod
    def _an_image(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        if not path.is_file():
            raise ValueError(f"logo_file {str(path)!r} is not a readable file")
        if mimetypes.guess_type(path.name)[0] not in IMAGE_TYPES:
            raise ValueError(f"logo_file {str(path)!r}: name it .png, .jpg, .gif, .webp or .svg")
        return path

    @model_validator(mode="after")
    def _one_logo(self) -> ThemeSettings:
        if self.logo_file is not None and self.logo_url is not None:
            raise ValueError("set logo_url or logo_file, not both")
        return self

    def public_logo_url(self) -> str | None:
        return LOGO_PATH if self.logo_file is not None else self.logo_url


class UiSettings(BaseModel):
    """`WARDEN_GATEWAY_UI__...`: sign-in and theme of the web UI."""

    model_config = ConfigDict(extra="forbid")

    sign_in: Literal["auto", "password", "redirect", "both"] = Field(
        "auto",
        description="`password`: the built-in provider's user name / password form. `redirect`: a button that "
        "goes to the provider's login page (OIDC authorization code + PKCE). `both`. `auto`: `password` with "
        "the built-in provider, `redirect` with an external one.",
    )
    provider_name: str | None = Field(
        None, max_length=60, description='The button reads "Sign in with <provider_name>" (default: the issuer).'
    )
    client_id: str | None = Field(
        None, description="The UI's public OIDC client id (default: `warden` built-in, `auth.audience` external)."
    )
    scopes: str = Field("openid profile", description="Scopes the UI asks for in the redirect.")
    redirect_uris: list[str] = Field(
        default_factory=list,
        description="Built-in provider: the redirect URIs its authorization endpoint accepts for the public client, "
        "compared exactly (RFC 6749 3.1.2). Default: `<issuer>/ui/callback`.",
    )
    theme: ThemeSettings = Field(default_factory=ThemeSettings)

    def sign_in_modes(self, auth: AuthSettings) -> list[Literal["password", "redirect"]]:
        if not auth.enabled:
            return []
        if self.sign_in == "auto":
            return ["password"] if auth.provider == "builtin" else ["redirect"]
        if self.sign_in == "both":
            return ["password", "redirect"]
        return ["password"] if self.sign_in == "password" else ["redirect"]


class AuthConfigPublic(BaseModel):
    modes: list[Literal["password", "redirect"]] = Field(
        description="Ways to sign in the UI offers; empty when authentication is off."
    )
    issuer: str = Field(description="The OIDC issuer (its discovery document is `<issuer>/.well-known/...`).")
    clientId: str
    scopes: str
    providerName: str


class ThemePublic(BaseModel):
    productName: str
    logoUrl: str | None
    primary: str | None
    secondary: str | None


class UiConfigPublic(BaseModel):
    """How the web UI signs in, and its theme."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "auth": {
                    "modes": ["redirect"],
                    "issuer": "https://keycloak.example/realms/ml",
                    "clientId": "warden-ui",
                    "scopes": "openid profile",
                    "providerName": "Keycloak",
                },
                "theme": {
                    "productName": "Acme ML",
                    "logoUrl": "/assets/acme.svg",
                    "primary": "#004d40",
                    "secondary": "#6a1b9a",
                },
            }
        }
    )

    auth: AuthConfigPublic
    theme: ThemePublic


def ui_config_router(ui: UiSettings, auth: AuthSettings, issuer_url: str) -> APIRouter:
    router = APIRouter(tags=["ui"])

    @router.get(
        UI_CONFIG_PATH,
        summary="How the web UI signs in, and its theme (public, no token)",
        response_model=UiConfigPublic,
        responses=error_responses(500),
    )
    async def ui_config() -> UiConfigPublic:
        client_id = ui.client_id or (PUBLIC_CLIENT_ID if auth.provider == "builtin" else auth.audience)
        return UiConfigPublic(
            auth=AuthConfigPublic(
                modes=ui.sign_in_modes(auth),
                issuer=issuer_url,
                clientId=client_id,
                scopes=ui.scopes,
                providerName=ui.provider_name or ("Warden" if auth.provider == "builtin" else issuer_url),
            ),
            theme=ThemePublic(
                productName=ui.theme.product_name,
                logoUrl=ui.theme.public_logo_url(),
                primary=ui.theme.primary,
                secondary=ui.theme.secondary,
            ),
        )

    logo = ui.theme.logo_file
    if logo is not None:

        async def logo_file(_request: Request) -> FileResponse:
            # An SVG opened on its own would run its scripts in this origin: the CSP forbids any, nosniff keeps
            # the browser to the declared type.
            headers = {
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
            }
            return FileResponse(logo, media_type=mimetypes.guess_type(logo.name)[0], headers=headers)

        # A file, not an API operation: a plain route, out of the OpenAPI document (like the UI's shell).
        router.add_route(LOGO_PATH, logo_file, methods=["GET", "HEAD"], include_in_schema=False)

    return router
