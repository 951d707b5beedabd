"""Bus topic names: the one place services agree on where events flow."""

from __future__ import annotations

INFERENCE = "warden.inference"
"""Request/response/feedback events in the executor formats (protocols.md §1-2)."""

DETECTIONS = "warden.detections"
"""Outlier, drift and metrics results from detectors."""

DEPLOYMENTS = "warden.deployments"
"""Deployment lifecycle events (created / changed / deleted / status)."""

MODELS = "warden.models"
"""Model catalog events (registered / updated / deleted)."""

GITOPS = "warden.gitops"
"""Deployment files changed in git by others (gitops-sync -> gateway)."""

BATCH_WORK = "warden.batch.work"
"""Work items of running batch jobs (chunks of input lines), shared by every batch process."""

DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """Where messages of `topic` go after their handler failed every retry."""
    return topic + DEAD_LETTER_SUFFIX
