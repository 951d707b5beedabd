"""Warden's GitOps sync: deployment specs in git, audit log, diffs, restore, reconcile."""
