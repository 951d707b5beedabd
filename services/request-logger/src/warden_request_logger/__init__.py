"""Warden's request logger: correlates, splits, enriches and indexes inference events; log search."""
