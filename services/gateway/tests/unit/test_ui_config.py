"""The web UI's sign-in and theme settings (`WARDEN_GATEWAY_UI__...`): malformed values are refused at start with
what is wrong, and `auto` picks the sign-in that works with the configured provider."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from warden_common.auth.settings import AuthSettings
from warden_gateway.settings import GatewaySettings
from warden_gateway.uiconfig import LOGO_PATH, ThemeSettings, UiSettings


def test_theme_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    logo = tmp_path / "acme.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    monkeypatch.setenv("WARDEN_GATEWAY_UI__THEME__PRODUCT_NAME", "Acme ML")
    monkeypatch.setenv("WARDEN_GATEWAY_UI__THEME__PRIMARY", "#004d40")
    monkeypatch.setenv("WARDEN_GATEWAY_UI__THEME__LOGO_FILE", str(logo))
    monkeypatch.setenv("WARDEN_GATEWAY_UI__SIGN_IN", "both")
    ui = GatewaySettings().ui
    assert (ui.theme.product_name, ui.theme.primary, ui.theme.public_logo_url()) == ("Acme ML", "#004d40", LOGO_PATH)
    assert ui.sign_in_modes(AuthSettings()) == ["password", "redirect"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"primary": "red"}, "primary"),
        ({"secondary": "#12345"}, "secondary"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url"),
        ({"logo_file": "/no/such/logo.png"}, "not a readable file"),
        ({"product_name": ""}, "product_name"),
    ],
)
def test_malformed_theme_is_refused(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ThemeSettings.model_validate(fields)


def test_a_logo_file_must_be_an_image_and_not_beside_a_url(tmp_path: Path) -> None:
    text = tmp_path / "logo.txt"
    text.write_text("not an image")
    with pytest.raises(ValidationError, match=r"name it \.png"):
        ThemeSettings.model_validate({"logo_file": str(text)})
    image = tmp_path / "logo.png"
    image.write_bytes(b"\x89PNG")
    with pytest.raises(ValidationError, match="not both"):
        ThemeSettings.model_validate({"logo_file": str(image), "logo_url": "/x.png"})


def test_auto_sign_in_follows_the_provider() -> None:
    ui = UiSettings()
    assert ui.sign_in_modes(AuthSettings(provider="builtin")) == ["password"]
    assert ui.sign_in_modes(AuthSettings(provider="oidc", issuer="https://idp")) == ["redirect"]
    assert ui.sign_in_modes(AuthSettings(enabled=False)) == []
