"""Settings of the gitops-sync service (env prefix `WARDEN_GITOPS_`)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warden_common.settings import ServiceSettings


class GitopsSyncSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_GITOPS_", env_nested_delimiter="__", extra="ignore")

    state_dir: Path | None = Field(
        None,
        description="Where the namespaces' repositories live (a persistent volume in distributed mode); "
        "default `$WARDEN_HOME/gitops` standalone, `~/.warden/gitops` otherwise.",
    )
    branch: str = Field("main", min_length=1, description="The branch Warden commits to and syncs from.")
    poll_interval_s: float = Field(30.0, ge=0, description="How often GitOps remotes are fetched; 0 turns polling off.")
    push_attempts: int = Field(5, ge=1, description="Pushes tried when others keep pushing first, before a 409.")
    git_timeout_s: float = Field(60.0, gt=0, description="Timeout of one git command (fetch and push included).")
