"""Authentication (OIDC token validation) and authorization (namespace labels, policies): pure and shared.

The gateway enforces; this package only decides. Nothing here does I/O except `jwks.RemoteJwks`.
"""

from warden_common.auth.principal import Principal
from warden_common.auth.settings import AuthSettings

__all__ = ["AuthSettings", "Principal"]
