"""Builds and runs what enforcement and the built-in identity provider need, inside the gateway's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from warden_common.auth.jwks import CachedKeySource, KeySet, parse_jwks, remote_jwks
from warden_common.auth.settings import AuthSettings
from warden_common.auth.tokens import TokenValidator
from warden_common.db import open_pool
from warden_common.errors import Conflict, ServiceUnavailable
from warden_common.platform import Platform
from warden_common.upstreams import Upstreams
from warden_gateway.authz.decisions import Authorizer
from warden_gateway.identity.codes import AuthorizationCodes
from warden_gateway.identity.issuer import TokenIssuer
from warden_gateway.identity.keys import SigningKeys
from warden_gateway.identity.ratelimit import LoginLimiter
from warden_gateway.identity.users import UserStore

logger = logging.getLogger(__name__)

PASSPHRASE_FILE = "signing-key-passphrase"


class FirstAdminSettings(BaseSettings):
    """`WARDEN_ADMIN_USER` / `WARDEN_ADMIN_PASSWORD`: the administrator created when there is no user yet."""

    model_config = SettingsConfigDict(env_prefix="WARDEN_ADMIN_", extra="ignore")

    user: str = "admin"
    password: SecretStr | None = None


class AuthRuntime:
    """Created with the app (the middleware and routes hold it), filled in when the lifespan opens it."""

    def __init__(self, settings: AuthSettings, issuer_url: str) -> None:
        self.settings = settings
        self.issuer_url = settings.issuer or issuer_url
        self.authorizer = Authorizer(settings, None)
        self.users: UserStore | None = None
        self.keys: SigningKeys | None = None
        self.issuer: TokenIssuer | None = None
        self.codes: AuthorizationCodes | None = None
        self.limiter = LoginLimiter(settings.login_max_failures, settings.login_window_s)
        self._validator: TokenValidator | None = None
        self._local_keys: CachedKeySource | None = None
        self.upstreams: Upstreams | None = None

    async def rotate_signing_key(self) -> str:
        """A new key signs from now on; this replica verifies with it at once, the others on first sight."""
        _, keys, _ = self.identity()
        key = await keys.rotate()
        if self._local_keys is not None:
            self._local_keys.invalidate()
        return key.kid

    def validator(self) -> TokenValidator:
        if self._validator is None:
            raise ServiceUnavailable("authentication is not ready: the gateway is starting or has no database")
        return self._validator

    def identity(self) -> tuple[UserStore, SigningKeys, TokenIssuer]:
        if self.users is None or self.keys is None or self.issuer is None:
            raise ServiceUnavailable(
                "the built-in identity provider is not running: it needs the gateway's database and, in distributed "
                "mode, WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE"
            )
        return self.users, self.keys, self.issuer

    @asynccontextmanager
    async def open(self, platform: Platform, upstreams: Upstreams | None = None) -> AsyncIterator[None]:
        """Needs the gateway's schema migrated (open after the control plane); `upstreams` reach the metadata
        service, asked for a model's project (policy mode)."""
        self.upstreams = upstreams
        dsn = platform.database_dsn
        if dsn is None:
            if self.settings.enabled:
                raise ServiceUnavailable("auth needs the gateway's database: set WARDEN_GATEWAY_DATABASE__DSN")
            yield
            return
        async with (
            open_pool(dsn, min_size=1, max_size=4, application_name="warden-gateway-auth") as pool,
            contextlib.AsyncExitStack() as stack,
        ):
            self.authorizer = Authorizer(self.settings, pool)
            if self.settings.provider == "builtin":
                passphrase = _passphrase(self.settings, platform)
                if passphrase is not None:
                    self.users = UserStore(pool)
                    self.keys = SigningKeys(pool, passphrase, self.settings.token_ttl_s)
                    self.issuer = TokenIssuer(self.keys, self.settings, self.issuer_url)
                    self.codes = AuthorizationCodes(pool)
                    keys = self.keys

                    async def local_keys() -> KeySet:
                        return parse_jwks(await keys.jwks())

                    # Another replica may rotate: an unknown kid reloads from the database, at most 5 times a second.
                    self._local_keys = CachedKeySource(local_keys, min_interval_s=0.2)
                    self._validator = self._make_validator(self._local_keys)
            else:
                client = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
                source = remote_jwks(self.issuer_url, client, self.settings.jwks_refresh_min_s)
                self._validator = self._make_validator(source)
            if self.settings.enabled:
                if self.users is not None:
                    await _ensure_first_admin(self.users, self.settings)
                await self.authorizer.refresh()
                stack.push_async_callback(_cancel, asyncio.create_task(self._poll(), name="auth-policy-poll"))
            try:
                yield
            finally:
                self._validator = None
                self.users = self.keys = self.issuer = None
                self.codes = None

    def _make_validator(self, source: CachedKeySource) -> TokenValidator:
        return TokenValidator(
            source,
            issuer=self.issuer_url,
            audience=self.settings.audience,
            user_claim=self.settings.user_claim,
            groups_claim=self.settings.groups_claim,
        )

    async def _poll(self) -> None:
        """Polling, not a bus event: one indexed single-row read per interval reaches every replica (each would
        otherwise need its own consumer group), survives missed events, and bounds staleness to the interval."""
        while True:
            await asyncio.sleep(self.settings.policy_refresh_s)
            try:
                await self.authorizer.refresh()
            except Exception:  # a database blip: keep deciding on the last snapshot, try again next round
                logger.exception("could not reload the authorization policy")


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _passphrase(settings: AuthSettings, platform: Platform) -> bytes | None:
    """The configured passphrase; in standalone one generated once into $WARDEN_HOME/auth (mode 0600)."""
    if settings.signing_key_passphrase is not None:
        return settings.signing_key_passphrase.get_secret_value().encode()
    if platform.mode != "standalone" or platform.home is None:
        if settings.enabled:
            raise ServiceUnavailable(
                "the built-in identity provider needs WARDEN_GATEWAY_AUTH__SIGNING_KEY_PASSPHRASE (the same on "
                "every gateway replica) to encrypt its signing keys"
            )
        return None
    path: Path = platform.home / "auth" / PASSPHRASE_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


async def _ensure_first_admin(users: UserStore, settings: AuthSettings) -> None:
    if await users.count() > 0:
        return
    first = FirstAdminSettings()
    generated = first.password is None
    password = first.password.get_secret_value() if first.password else secrets.token_urlsafe(18)
    body = {"name": first.user, "password": password, "groups": [settings.admin_group]}
    try:
        await users.create(body, created_by="warden")
    except Conflict:
        return  # another replica starting at the same time created it
    if generated:
        # Shown this once: only its argon2 hash is stored.
        logger.warning(
            f"created the first administrator {first.user!r} with the generated password {password!r}; it is not "
            "shown again (set WARDEN_ADMIN_USER / WARDEN_ADMIN_PASSWORD before the first start to choose them)"
        )
    else:
        logger.info("created the first administrator from WARDEN_ADMIN_USER", extra={"user": first.user})
