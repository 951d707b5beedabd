"""Git remote URLs as a namespace's `git-repo` annotation gives them: which are acceptable, and how they are
shown without their secrets. Shared by the gateway (checks the annotation) and gitops-sync (uses it)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

ALLOWED_PROTOCOLS = "file:git:http:https:ssh"
"""What git may use to reach a remote (`GIT_ALLOW_PROTOCOL`): never `ext::` or other helper-run transports."""

_SCHEMES = ("file", "git", "http", "https", "ssh")


def remote_problem(value: object) -> str | None:
    """Why `value` cannot be a git remote, or None: a local path, `file://`, `git://`, `http(s)://`, `ssh://` or
    scp-like `user@host:path`; not an option (`-...`), no transport helper (`ext::...`), no whitespace or control
    characters."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string: the URL or path of a git repository"
    if value.startswith("-"):
        return "must not start with '-'"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "must not contain whitespace or control characters"
    head = value.split("/", 1)[0]
    if "::" in head:
        return f"git transport helpers ({head.split('::', 1)[0]}::) are not allowed"
    if "://" in value:
        scheme = value.split("://", 1)[0].lower()
        if scheme not in _SCHEMES:
            return f"unsupported scheme {scheme!r}: use a path, file://, git://, http(s)://, ssh:// or user@host:path"
    return None


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
