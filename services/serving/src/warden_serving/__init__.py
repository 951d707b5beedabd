"""Warden's local serving runtime (MLServer processes), data plane, canary/shadow, executor-format events."""
