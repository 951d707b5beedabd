"""Redirect sign-in and theme (issue 16) in a real browser: a `warden up` configured for the OIDC redirect flow
(its built-in provider's authorization code + PKCE) with a custom product name, logo and primary colour;
`ui/e2e/signin.mjs` signs in through the provider's page and checks the app bar. Screenshots are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from warden_common.testing.processes import running_warden_up

from .ui_browser import run_ui_script

PRODUCT = "Acme ML"
PROVIDER = "Acme SSO"
PRIMARY = "#004d40"
LOGO = "/ui/theme/logo"  # where the gateway serves WARDEN_GATEWAY_UI__THEME__LOGO_FILE
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="32"><rect width="40" height="32" fill="#ffb300"/></svg>'
)
THEMED = {
    "WARDEN_GATEWAY_UI__SIGN_IN": "redirect",
    "WARDEN_GATEWAY_UI__PROVIDER_NAME": PROVIDER,
    "WARDEN_GATEWAY_UI__THEME__PRODUCT_NAME": PRODUCT,
    "WARDEN_GATEWAY_UI__THEME__PRIMARY": PRIMARY,
}


@pytest.fixture
def themed_warden(tmp_path: Path) -> Iterator[str]:
    logo = tmp_path / "acme.svg"
    logo.write_text(SVG)
    env = {**THEMED, "WARDEN_GATEWAY_UI__THEME__LOGO_FILE": str(logo)}
    with running_warden_up(tmp_path / "wh", ready_within_s=120, env=env) as base:
        yield base


def test_redirect_sign_in_and_theme_in_the_browser(themed_warden: str, tmp_path: Path) -> None:
    config = httpx.get(f"{themed_warden}/seldon-deploy/api/v1alpha1/ui/config", timeout=10).json()
    assert config["auth"]["modes"] == ["redirect"] and config["auth"]["providerName"] == PROVIDER
    assert config["theme"] == {"productName": PRODUCT, "logoUrl": LOGO, "primary": PRIMARY, "secondary": None}

    env = {
        "EXPECT_PROVIDER": PROVIDER,
        "EXPECT_PRODUCT": PRODUCT,
        "EXPECT_PRIMARY_RGB": "rgb(0, 77, 64)",
        "EXPECT_LOGO": LOGO,
    }
    report = run_ui_script("signin.mjs", themed_warden, tmp_path, env)
    params = report["authorizeParams"]
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["redirect_uri"] == f"{themed_warden}/ui/callback" and params["client_id"] == "warden"
    assert "wrong user name or password" in report["wrongPassword"]
    assert report["appBarColour"] == "rgb(0, 77, 64)"
    assert report["logoWidth"] == 40  # the configured file, served and drawn
    assert "warden.session" in report["session"]
    assert "no sign-in was started" in report["replay"]
    assert set(report["axe"]) == {"signin", "authorize"}
    assert len(report["screenshots"]) == 4 and all(Path(s).stat().st_size > 0 for s in report["screenshots"])
