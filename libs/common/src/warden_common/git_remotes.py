"""Git remote URLs as a namespace's `git-repo` annotation gives them: which are acceptable, and how they are
shown without their secrets. Shared by the gateway (checks the annotation) and gitops-sync (uses it)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

ALLOWED_PROTOCOLS = "file:git:http:https:ssh"
"""What git may use to reach a remote (`GIT_ALLOW_PROTOCOL`): never `ext::` or other helper-run transports."""

_TEXT = r"[^\s\x00-\x1f\x7f]"
GIT_REMOTE_PATTERN = (
    rf"^(?:/{_TEXT}*"  # an absolute local path
    rf"|(?:file|git|https?|ssh)://{_TEXT}+"  # a URL git reaches by itself
    # scp-like; its path must not start with `:` (`ext::...`, a transport helper) nor `//` (a URL git would reach)
    rf"|(?:[A-Za-z0-9._~+][A-Za-z0-9._~+-]*@)?[A-Za-z0-9._][A-Za-z0-9._-]*:"
    rf"(?:[^:/\s\x00-\x1f\x7f]{_TEXT}*|/(?:[^/\s\x00-\x1f\x7f]{_TEXT}*)?)?)$"
)
"""What a `git-repo` annotation may be (also the OpenAPI pattern): an absolute path, a `file|git|http(s)|ssh://` URL,
or scp-like `[user@]host:path`. Never an option (`-...`), a transport helper (`ext::...`, `fd::...`), a relative path
(relative to what?), whitespace or control characters."""
_REMOTE = re.compile(GIT_REMOTE_PATTERN)


def remote_problem(value: object) -> str | None:
    """Why `value` cannot be a git remote (see `GIT_REMOTE_PATTERN`), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string: the URL or path of a git repository"
    if _REMOTE.fullmatch(value):
        return None
    if value.startswith("-"):
        return "must not start with '-'"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "must not contain whitespace or control characters"
    if "::" in value.split("/", 1)[0]:
        return f"git transport helpers ({value.split('::', 1)[0]}::) are not allowed"
    return "must be an absolute path, a file://, git://, http(s):// or ssh:// URL, or user@host:path"


COMMIT_HASH_PATTERN = r"^[0-9a-fA-F]{4,64}$"
"""A commit as `?hash=` names it: 4-64 hexadecimal digits (an abbreviation or a full SHA-1 / SHA-256)."""


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
