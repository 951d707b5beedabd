"""Warden's public API (/seldon-deploy/api/v1alpha1), web UI, auth, and the `warden` CLI that composes the standalone process."""
