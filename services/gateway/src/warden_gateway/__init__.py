"""Warden's public API (/seldon-deploy/api/v1alpha1), web UI and auth, plus the `warden` CLI.

The CLI composes the standalone process (`warden up`) from every installed service.
"""
