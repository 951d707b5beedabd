"""Inference events in the Seldon executor format and how they reach the bus (durably, before the reply by default)."""
