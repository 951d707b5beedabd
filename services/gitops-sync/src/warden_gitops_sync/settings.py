"""Settings of the gitops-sync service (env prefix `WARDEN_GITOPS_`)."""

import os
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings
from warden_gitops_sync.credentials import GitCredentials, https_url_problem


def _readable_file(path: Path, setting: str) -> str | None:
    if not path.is_file():
        return f"{setting}={path}: no such file"
    if not os.access(path, os.R_OK):
        return f"{setting}={path}: not readable by this process (uid {os.getuid()})"
    return None


class GitopsSyncSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="WARDEN_GITOPS_", env_nested_delimiter="__", extra="ignore", hide_input_in_errors=True
    )

    state_dir: Path | None = Field(
        None,
        description="Where the namespaces' repositories live (a persistent volume in distributed mode); "
        "default `$WARDEN_HOME/gitops` standalone, `~/.warden/gitops` otherwise.",
    )
    auto_migrate: bool | None = Field(
        None,
        description="Apply pending schema migrations (the sync status table) at startup. Default: yes in "
        "standalone; in distributed mode run `warden migrate` once instead (the service then refuses to start on an "
        "out-of-date schema). Without a database (`database.dsn`) the sync status is kept in memory only.",
    )
    branch: str = Field("main", min_length=1, description="The branch Warden commits to and syncs from.")
    poll_interval_s: float = Field(30.0, ge=0, description="How often GitOps remotes are fetched; 0 turns polling off.")
    push_attempts: int = Field(5, ge=1, description="Pushes tried when others keep pushing first, before a 409.")
    git_timeout_s: float = Field(60.0, gt=0, description="Timeout of one git command (fetch and push included).")
    ssh_key_file: Path | None = Field(
        None,
        description="Private key git uses for ssh:// and user@host:path remotes (only that key: IdentitiesOnly); "
        "needs `ssh_known_hosts_file`. Unset: the process's SSH agent or `GIT_SSH_COMMAND`.",
    )
    ssh_known_hosts_file: Path | None = Field(
        None,
        description="known_hosts file the SSH remotes' host keys are checked against (StrictHostKeyChecking=yes: "
        "a host not in it is refused, never added).",
    )
    https_token: SecretStr | None = Field(
        None,
        description="Token for http(s) remotes under `https_url_prefix` (required with it), sent as HTTP Basic "
        "`https_username:https_token` through git's environment configuration: never on a command line, in a "
        "file, a log or an answer.",
    )
    https_username: str = Field(
        "x-access-token",
        min_length=1,
        pattern=r"^[^:\s]+$",
        description="User name sent with `https_token`: `x-access-token` suits GitHub tokens (any non-empty name "
        "works with a personal access token), `oauth2` GitLab OAuth tokens, `x-token-auth` Bitbucket.",
    )
    https_url_prefix: str | None = Field(
        None,
        description="The token goes only to remotes under this URL (git's `http.<url>.*` rule: same scheme, host "
        "and port, the path a whole-segment prefix), e.g. `https://github.com/my-org/`: a namespace whose "
        "`git-repo` names another server never receives it. https:// (http:// only on loopback).",
    )

    @field_validator("ssh_key_file", "ssh_known_hosts_file", "https_token", "https_url_prefix", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable (`${WARDEN_GITOPS_HTTPS_TOKEN:-}` in docker-compose.yml) means not set."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        problems: list[str | None] = []
        if self.ssh_key_file is not None:
            if self.ssh_known_hosts_file is None:
                problems.append(
                    "WARDEN_GITOPS_SSH_KEY_FILE needs WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE (the host keys of the git "
                    "servers: `ssh-keyscan host`, checked by hand): an unknown host is never trusted"
                )
            problems.append(_readable_file(self.ssh_key_file, "WARDEN_GITOPS_SSH_KEY_FILE"))
        if self.ssh_known_hosts_file is not None:
            problems.append(_readable_file(self.ssh_known_hosts_file, "WARDEN_GITOPS_SSH_KNOWN_HOSTS_FILE"))
        token = self.https_token.get_secret_value() if self.https_token is not None else None
        if token is not None and (not token or any(ch.isspace() or ord(ch) < 32 for ch in token)):
            problems.append("WARDEN_GITOPS_HTTPS_TOKEN must be non-empty, without whitespace or control characters")
        if token is not None and self.https_url_prefix is None:
            problems.append(
                "WARDEN_GITOPS_HTTPS_TOKEN needs WARDEN_GITOPS_HTTPS_URL_PREFIX (e.g. https://github.com/my-org/): "
                "the token is only sent to remotes under it, never to a server a namespace's git-repo names"
            )
        if self.https_url_prefix is not None:
            if token is None:
                problems.append("WARDEN_GITOPS_HTTPS_URL_PREFIX is set without WARDEN_GITOPS_HTTPS_TOKEN")
            elif (why := https_url_problem(self.https_url_prefix)) is not None:
                problems.append(f"WARDEN_GITOPS_HTTPS_URL_PREFIX={self.https_url_prefix!r} {why}")
        found = [p for p in problems if p is not None]
        if found:
            raise ValueError("; ".join(found))
        return self

    def git_credentials(self) -> GitCredentials:
        return GitCredentials.build(
            ssh_key_file=self.ssh_key_file,
            ssh_known_hosts_file=self.ssh_known_hosts_file,
            https_token=self.https_token,
            https_username=self.https_username,
            https_url_prefix=self.https_url_prefix,
        )
