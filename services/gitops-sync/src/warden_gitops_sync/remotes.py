"""Remote URLs as the `git-repo` annotation gives them, and how they are shown without their secrets."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact(url: str | None) -> str | None:
    """`url` without a password or token (`https://user:token@host/x` -> `https://user:***@host/x`), for
    messages, logs and the status page; local paths and scp-like SSH addresses have none."""
    if url is None or "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None and (parts.username is None or parts.scheme not in ("http", "https")):
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username if parts.password is not None else None
    userinfo = f"{user}:***" if user else "***"
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, parts.query, parts.fragment))
