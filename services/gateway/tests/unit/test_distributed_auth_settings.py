"""`warden serve gateway` with auth on (the default) and what it needs missing: it refuses to start and names every
variable to set, rather than run open or with an issuer clients cannot reach. The other services have no auth of
their own (their ports are internal) and start as before."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from warden_common.auth.settings import AuthSettings
from warden_gateway.cli import app
from warden_gateway.composition import load_service_factory
from warden_gateway.main import create_app
from warden_gateway.settings import AuthNotConfigured, GatewaySettings


@pytest.fixture(autouse=True)
def _no_gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("WARDEN_")]:
        monkeypatch.delenv(name)


def test_serve_gateway_without_issuer_passphrase_or_database_says_what_to_set() -> None:
    result = CliRunner().invoke(app, ["serve", "gateway"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert message.startswith("error: authentication is on (WARDEN_GATEWAY_AUTH__ENABLED, default true)")
    for variable in (
        "WARDEN_GATEWAY_AUTH__ISSUER",
        "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE",
        "WARDEN_GATEWAY_DATABASE__DSN",
        "WARDEN_GATEWAY_AUTH__ENABLED=false",
    ):
        assert variable in message


def test_only_what_is_missing_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_GATEWAY_AUTH__ISSUER", "https://warden.example.com")
    monkeypatch.setenv("WARDEN_GATEWAY_DATABASE__DSN", "postgresql://warden@db/warden")
    with pytest.raises(AuthNotConfigured) as refused:
        create_app()
    assert "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE" in refused.value.message
    assert "AUTH__ISSUER" not in refused.value.message
    assert "DATABASE__DSN" not in refused.value.message


def test_an_external_provider_needs_its_issuer_but_no_passphrase() -> None:
    settings = GatewaySettings(auth=AuthSettings(provider="oidc"))
    with pytest.raises(AuthNotConfigured, match="AUTH__ISSUER \\(the provider's issuer URL\\)") as refused:
        settings.check_distributed_auth()
    assert "PASSPHRASE" not in refused.value.message


def test_complete_or_switched_off_settings_start() -> None:
    complete = {
        "WARDEN_GATEWAY_AUTH__ISSUER": "https://warden.example.com",
        "WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE": "s3cret",
        "WARDEN_GATEWAY_DATABASE__DSN": "postgresql://warden@db/warden",
    }
    with pytest.MonkeyPatch.context() as env:
        for name, value in complete.items():
            env.setenv(name, value)
        assert create_app().state.settings.auth.enabled  # built: nothing missing
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WARDEN_GATEWAY_AUTH__ENABLED", "false")
        assert not create_app().state.settings.auth.enabled


@pytest.mark.parametrize("service", ["metadata", "serving", "request-logger"])
def test_internal_services_have_no_auth_setting_to_miss(service: str) -> None:
    built = load_service_factory(service)()
    assert not hasattr(built.state.settings, "auth")
