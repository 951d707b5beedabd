"""GitOps events (topic `warden.gitops`): a deployment file changed in git by someone other than Warden.

gitops-sync publishes one per changed file when it syncs a namespace's remote (poll or webhook); the gateway
applies it through its deployment service. `previous` is the file as Warden last synced it: the gateway applies
the change only while the deployment still equals it (or already equals `spec`), so a late event never
overwrites a newer change made through the API.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from warden_common.events._base import WardenPayload
from warden_common.events.registry import EventSpec

GITOPS_DEPLOYMENT_CHANGED = "io.warden.gitops.deployment.changed.v1"


class GitopsDeploymentChanged(WardenPayload):
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    commit: str = Field(min_length=4, description="The last commit that changed the file.")
    author: str = Field(description="That commit's author.")
    message: str = Field(description="That commit's message.")
    spec: dict[str, Any] | None = Field(description="The deployment object in the file; None: the file was deleted.")
    previous: dict[str, Any] | None = Field(description="The file as Warden last synced it; None: it did not exist.")


SPECS = (
    EventSpec(
        GITOPS_DEPLOYMENT_CHANGED, GitopsDeploymentChanged, "A deployment's file was changed in its git repository."
    ),
)
