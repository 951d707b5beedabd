"""The built-in OpenID Connect identity provider of standalone (and, if chosen, distributed) Warden: users and
service clients in PostgreSQL with argon2id password hashes, RS256 keys it signs tokens with, and the discovery,
JWKS and token endpoints an external provider would offer, so clients work the same against either."""
