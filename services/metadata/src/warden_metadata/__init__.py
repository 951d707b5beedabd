"""Warden's model catalog, runtime metadata, prediction schemas and query language on PostgreSQL."""
