"""The shared secret executors present to the request logger's ingestion route (`auth.ingest_token` in standalone,
`WARDEN_LOGGER_INGEST_TOKEN` on a distributed request logger).

Seldon Core's executor and KServe's agent are Go programs that cannot add headers to their logger URL, but Go's
net/http sends HTTP Basic credentials taken from a URL's userinfo. So the secret is accepted as
`Authorization: Bearer <secret>` or as the password of HTTP Basic under any user name
(`http://warden:<secret>@request-logger:8080/`), and compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from pydantic import SecretStr

INGEST_REALM = "warden-ingest"
INGEST_CHALLENGES = (f'Bearer realm="{INGEST_REALM}"', f'Basic realm="{INGEST_REALM}", charset="UTF-8"')
"""The `WWW-Authenticate` values of a refused ingestion: both ways of presenting the secret."""


def presented_secret(authorization: str | None) -> str | None:
    """The secret in an `Authorization` header: a Bearer token, or HTTP Basic's password; None if there is none."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    credentials = credentials.strip()
    if not credentials:
        return None
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, colon, password = decoded.partition(":")
    return password if colon and password else None


def ingest_token_matches(authorization: str | None, expected: SecretStr) -> bool:
    """True if the header presents `expected` (constant-time comparison: nothing to learn from the timing)."""
    presented = presented_secret(authorization)
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode(), expected.get_secret_value().encode())
