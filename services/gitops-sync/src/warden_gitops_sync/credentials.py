"""The service's own credentials for GitOps remotes, so none has to ride in a namespace's `git-repo` annotation
(which anyone who can read the namespace reads).

- SSH: `ssh_key_file` (+ `ssh_known_hosts_file`): git runs `GIT_SSH_COMMAND` = ssh with that key only, checking
  the host against that known_hosts file (never trusting a new host key), never prompting.
- HTTPS: `https_token`, sent as `Authorization: Basic <https_username:https_token>` to remotes under
  `https_url_prefix` only, by git's own URL matching (`http.<url>.extraHeader`, given in git's environment
  configuration `GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_<n>` / `GIT_CONFIG_VALUE_<n>`): never on a command line (which
  `ps` shows) nor in a file. A namespace whose `git-repo` points elsewhere (its writer's own server) never gets it;
  nor does a server a remote under the prefix redirects to (`http.<url>.followRedirects=false` there).

The token (and its encoded header) is removed from every message git's output ends up in.
"""

from __future__ import annotations

import base64
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

SSH_OPTIONS = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=15")
"""Always: never wait on a prompt or a dead host."""

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
REDACTED = "***"

_AUTH_REFUSED = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "the requested url returned error: 401",
    "the requested url returned error: 403",
    "permission denied",
    "host key verification failed",
)
_REDIRECTED = (
    "returned error: 301",
    "returned error: 302",
    "returned error: 303",
    "returned error: 307",
    "returned error: 308",
)


def ssh_command(key_file: Path | None, known_hosts_file: Path | None) -> str:
    """The `GIT_SSH_COMMAND` for a key and a known_hosts file; git runs it through a shell, so paths are quoted."""
    argv = ["ssh"]
    if key_file is not None:
        argv += ["-i", str(key_file), "-o", "IdentitiesOnly=yes"]
    if known_hosts_file is not None:
        argv += ["-o", f"UserKnownHostsFile={known_hosts_file}", "-o", "StrictHostKeyChecking=yes"]
    argv += SSH_OPTIONS
    return shlex.join(argv)


def https_url_problem(prefix: str) -> str | None:
    """Why `prefix` cannot scope a token (see `GitopsSyncSettings.https_url_prefix`), or None."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in prefix):
        return "must not contain whitespace or control characters"
    parts = urlsplit(prefix)
    if parts.scheme not in ("https", "http"):
        return "must be an https:// URL (the token is only ever sent there)"
    if not parts.hostname:
        return "must name a host (https://host[:port][/path])"
    if "*" in parts.netloc:
        return "must name one host, without wildcards"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return (
            "must be https:// (http:// only on this machine: 127.0.0.1, ::1, localhost), not to send the token in clear"
        )
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (the token is given on its own)"
    if parts.query or parts.fragment or prefix.endswith(("?", "#")):
        return "must not have a query or fragment"
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return "must not have '.' or '..' path segments"
    return None


@dataclass(frozen=True)
class GitCredentials:
    """What git's environment gets, and what must never be shown."""

    env: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    https_url_prefix: str | None = None
    ssh: bool = False

    @classmethod
    def build(
        cls,
        *,
        ssh_key_file: Path | None = None,
        ssh_known_hosts_file: Path | None = None,
        https_token: SecretStr | None = None,
        https_username: str = "x-access-token",
        https_url_prefix: str | None = None,
    ) -> GitCredentials:
        env: dict[str, str] = {}
        secrets: list[str] = []
        if ssh_key_file is not None or ssh_known_hosts_file is not None:
            env["GIT_SSH_COMMAND"] = ssh_command(ssh_key_file, ssh_known_hosts_file)
        if https_token is not None and https_url_prefix is not None:
            token = https_token.get_secret_value()
            basic = base64.b64encode(f"{https_username}:{token}".encode()).decode("ascii")
            env |= {
                "GIT_CONFIG_COUNT": "2",
                "GIT_CONFIG_KEY_0": f"http.{https_url_prefix}.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
                # git takes the header along when a redirect moves the remote, even to another host (curl drops it
                # on the redirected request only; git's next requests go to the new URL with it): no redirects.
                "GIT_CONFIG_KEY_1": f"http.{https_url_prefix}.followRedirects",
                "GIT_CONFIG_VALUE_1": "false",
            }
            secrets += [token, basic]
        return cls(
            env=env,
            secrets=tuple(s for s in secrets if s),
            https_url_prefix=https_url_prefix if https_token is not None else None,
            ssh=ssh_key_file is not None,
        )

    def redact(self, text: str) -> str:
        """`text` without the token or its encoded header."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def covers(self, remote: str | None) -> bool:
        """Whether git sends the token to `remote`: under the prefix by git's rule (same scheme, host and port; the
        prefix's path whole segments of the remote's). Only for messages: git itself decides."""
        if self.https_url_prefix is None or remote is None or "://" not in remote:
            return False
        prefix, url = urlsplit(self.https_url_prefix), urlsplit(remote)
        default = {"https": 443, "http": 80}.get(prefix.scheme)
        if (prefix.scheme, prefix.hostname, prefix.port or default) != (url.scheme, url.hostname, url.port or default):
            return False
        want, path = prefix.path.rstrip("/"), url.path
        if any(segment in (".", "..") for segment in path.split("/")):  # resolved by git and curl alike
            path = posixpath.normpath(path)
        return not want or path == want or path.startswith(f"{want}/")

    def hint(self, remote: str | None, stderr: str) -> str:
        """What to check when git says a remote refused to authenticate it ('' otherwise)."""
        said = stderr.lower()
        redirected = any(marker in said for marker in _REDIRECTED)
        if not redirected and not any(marker in said for marker in _AUTH_REFUSED):
            return ""
        if remote is not None and remote.startswith(("http://", "https://")):
            if self.covers(remote):
                if redirected:
                    return (
                        " (redirects are not followed for remotes under WARDEN_GITOPS_HTTPS_URL_PREFIX, so the token "
                        "never goes elsewhere: give the repository's final URL)"
                    )
                return " (the https token WARDEN_GITOPS_HTTPS_TOKEN was sent and refused: check it and its rights)"
            if self.https_url_prefix is not None:
                return (
                    f" (no token is sent there: the https token goes only to remotes under "
                    f"WARDEN_GITOPS_HTTPS_URL_PREFIX {self.https_url_prefix})"
                )
            return " (no https token is configured: WARDEN_GITOPS_HTTPS_TOKEN and WARDEN_GITOPS_HTTPS_URL_PREFIX)"
        if self.ssh:
            return (
                " (check the SSH key WARDEN_GITOPS_SSH_KEY_FILE and the host's entry in "
                "WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE)"
            )
        return ""
